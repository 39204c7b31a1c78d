using System.Text.Json;

namespace Press.Manager.Api;

/// <summary>
/// Reads a JSON object body by hand so that every problem — malformed JSON, wrong types, unknown fields — is reported
/// at once with a field name and a fix, instead of the framework's single generic binding error.
/// </summary>
public sealed class RequestBody
{
    private const int MaxBytes = 64 * 1024;
    public Dictionary<string, List<string>> Problems { get; } = [];
    private JsonElement _root;

    public static async Task<RequestBody> ReadAsync(HttpRequest request, IReadOnlyCollection<string> allowedFields, CancellationToken ct)
    {
        var body = new RequestBody();
        if (request.ContentLength > MaxBytes)
        {
            body.Add("$", $"The body is larger than {MaxBytes} bytes.");
            return body;
        }
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            body.Add("$", "Send the body as JSON with 'Content-Type: application/json'.");
            return body;
        }
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, default, ct);
            body._root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            body.Add("$", $"The body is not valid JSON ({ex.Message.Split(" Path:")[0]}).");
            return body;
        }
        if (body._root.ValueKind != JsonValueKind.Object)
        {
            body.Add("$", $"The body must be a JSON object, not {Describe(body._root.ValueKind)}.");
            return body;
        }
        foreach (var p in body._root.EnumerateObject().Where(p => !allowedFields.Contains(p.Name)))
            body.Add(p.Name, $"Unknown field '{p.Name}': allowed fields are {string.Join(", ", allowedFields)}.");
        return body;
    }

    public bool IsObject => _root.ValueKind == JsonValueKind.Object;

    public void Add(string field, string problem)
    {
        if (!Problems.TryGetValue(field, out var list)) Problems[field] = list = [];
        list.Add(problem);
    }

    public string? RequiredString(string field, string example)
    {
        if (!IsObject) return null;
        if (!_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            Add(field, $"'{field}' is required, e.g. {example}.");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            Add(field, $"'{field}' must be a string, not {Describe(v.ValueKind)}; e.g. {example}.");
            return null;
        }
        return v.GetString();
    }

    public string? OptionalString(string field)
    {
        if (!IsObject || !_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        Add(field, $"'{field}' must be a string, not {Describe(v.ValueKind)}.");
        return null;
    }

    public int? OptionalInt(string field)
    {
        if (!IsObject || !_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        Add(field, $"'{field}' must be a whole number, not {Describe(v.ValueKind)}.");
        return null;
    }

    public IReadOnlyList<string> OptionalStringArray(string field)
    {
        if (!IsObject || !_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind != JsonValueKind.Array)
        {
            Add(field, $"'{field}' must be an array of strings, not {Describe(v.ValueKind)}; e.g. [\"erpnext\"].");
            return [];
        }
        var items = new List<string>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) items.Add(item.GetString()!);
            else Add(field, $"{field}[{i}] must be a string, not {Describe(item.ValueKind)}.");
            i++;
        }
        return items;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
