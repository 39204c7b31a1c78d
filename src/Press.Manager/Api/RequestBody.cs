using System.Text.Json;

namespace Press.Manager.Api;

/// <summary>
/// Reads a JSON object body by hand so that every problem — malformed JSON, wrong types, unknown fields, duplicate
/// keys — is reported at once with a field name and a fix, instead of the framework's single generic binding error.
/// The body is read with a hard cap whether or not Content-Length was sent (a chunked body has none), and a body over
/// the cap is a 413 (<see cref="RequestTooLargeException"/>).
/// </summary>
public sealed class RequestBody
{
    public const int MaxBytes = 64 * 1024;
    public Dictionary<string, List<string>> Problems { get; } = [];
    private JsonElement _root;

    public static async Task<RequestBody> ReadAsync(HttpRequest request, IReadOnlyCollection<string> allowedFields, CancellationToken ct)
    {
        var body = new RequestBody();
        if (request.ContentLength > MaxBytes) throw new RequestTooLargeException(MaxBytes);
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            body.Add("$", "Send the body as JSON with 'Content-Type: application/json'.");
            return body;
        }
        try
        {
            using var doc = JsonDocument.Parse(await ReadCappedAsync(request.Body, ct));
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
        foreach (var path in DuplicateKeys(body._root, ""))
            body.Add(path, $"'{path}' is given more than once: give each field once (parsers disagree on which copy counts).");
        foreach (var p in body._root.EnumerateObject().Where(p => !allowedFields.Contains(p.Name)).DistinctBy(p => p.Name))
            body.Add(p.Name, $"Unknown field '{p.Name}': allowed fields are {string.Join(", ", allowedFields)}.");
        return body;
    }

    /// <summary>The body, read until its end or until it passes <see cref="MaxBytes"/> (then 413: nothing more is read).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadCappedAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return buffer.AsMemory(0, length);
            length += read;
        }
        throw new RequestTooLargeException(MaxBytes);
    }

    /// <summary>
    /// Every key that appears twice in one object, as a path (<c>apps[0].name</c>). System.Text.Json keeps the last
    /// copy silently; .NET 10's AllowDuplicateProperties=false would refuse, but only the first one, without its path.
    /// </summary>
    private static IEnumerable<string> DuplicateKeys(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
                foreach (var found in DuplicateKeys(item, $"{path}[{i++}]")) yield return found;
        }
        if (element.ValueKind != JsonValueKind.Object) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (!seen.Add(property.Name) && reported.Add(property.Name)) yield return at;
            foreach (var found in DuplicateKeys(property.Value, at)) yield return found;
        }
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

    public double? OptionalNumber(string field)
    {
        if (!IsObject || !_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        Add(field, $"'{field}' must be a number, not {Describe(v.ValueKind)}.");
        return null;
    }

    public bool? OptionalBool(string field)
    {
        if (!IsObject || !_root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        Add(field, $"'{field}' must be true or false, not {Describe(v.ValueKind)}.");
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

/// <summary>A request body over the cap: answered 413 with a ProblemDetails saying the limit (nothing was changed).</summary>
public sealed class RequestTooLargeException(int maxBytes)
    : Exception($"The body is larger than {maxBytes} bytes: send a smaller JSON object (no API request needs more). Nothing was changed.");
