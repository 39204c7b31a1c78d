using System.Text.Json.Nodes;
using Npgsql;
using Press.FrappeDouble.Cli;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The <c>Social Login Key</c> doctype as Frappe v16 defines it (frappe/integrations/doctype/social_login_key/
/// social_login_key.json and .py): the doc is named <c>frappe.scrub(provider_name)</c>; <c>provider_name</c> is
/// mandatory and, with <c>social_login_provider</c>, set only once; Select and Check fields take only their options;
/// Data fields hold at most 140 characters; <c>validate</c> refuses a missing base URL (custom_base_url),
/// authorize URL, access token URL or redirect URL, and a missing client id or secret while enabled. The client
/// secret is a Password field: Frappe keeps it in <c>__Auth</c> and leaves asterisks in the row (the double stores it
/// unencrypted there, so tests can read what Press sent). Fields the doctype does not have are ignored, as
/// <c>Document.get_valid_dict</c> does.
/// </summary>
public static class SocialLoginKeys
{
    public const string Doctype = "Social Login Key";

    private static readonly string[] DataFields =
        ["provider_name", "client_id", "icon", "base_url", "authorize_url", "access_token_url", "redirect_url", "api_endpoint", "user_id_property"];
    private static readonly string[] CodeFields = ["api_endpoint_args", "auth_url_data"];
    private static readonly string[] CheckFields = ["enable_social_login", "custom_base_url"];

    private static readonly Dictionary<string, string[]> Selects = new()
    {
        ["social_login_provider"] = ["Custom", "Facebook", "Frappe", "GitHub", "Google", "Office 365", "Salesforce", "fairlogin", "Keycloak"],
        ["sign_ups"] = ["", "Allow", "Deny"],
    };

    private static IEnumerable<string> Columns => [.. DataFields, .. CodeFields, .. CheckFields, .. Selects.Keys, "client_secret"];

    private static string Ddl => $"""
        CREATE TABLE IF NOT EXISTS "tabSocial Login Key" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            {string.Join(", ", Columns.Select(c => $"{c} text"))});
        """;

    /// <summary><c>frappe.db.exists(dt, dn)</c>: the name when the doc exists, else nothing (None prints nothing).</summary>
    public static async Task<JsonNode?> ExistsAsync(NpgsqlConnection conn, JsonNode? doctype, JsonNode? name)
    {
        if (doctype?.GetValue<string>() != Doctype) throw Unsupported(doctype);
        await SiteDatabase.ExecAsync(conn, Ddl);
        var found = await SiteDatabase.ScalarAsync(conn, """SELECT name FROM "tabSocial Login Key" WHERE name = $1""", default, name?.GetValue<string>());
        return found is string n ? JsonValue.Create(n) : null;
    }

    /// <summary><c>frappe.client.insert(doc)</c>: validate, name, insert; an existing name is Frappe's DuplicateEntryError.</summary>
    public static async Task<JsonNode?> InsertAsync(NpgsqlConnection conn, JsonObject doc)
    {
        if (doc["doctype"]?.GetValue<string>() != Doctype) throw Unsupported(doc["doctype"]);
        var values = Normalize(doc);
        Validate(values);
        var name = Scrub(values["provider_name"]!);
        await SiteDatabase.ExecAsync(conn, Ddl);
        if (await SiteDatabase.ScalarAsync(conn, """SELECT 1 FROM "tabSocial Login Key" WHERE name = $1""", default, name) is not null)
            throw new BenchException($"frappe.exceptions.DuplicateEntryError: ('Social Login Key', '{name}', IntegrityError('duplicate key value violates unique constraint'))");
        await WriteAsync(conn, name, values, insert: true);
        return await ReadAsync(conn, name);
    }

    /// <summary><c>frappe.client.set_value(doctype, name, {field: value…})</c>: get_doc, update, save (validate again).</summary>
    public static async Task<JsonNode?> SetValueAsync(NpgsqlConnection conn, JsonNode? doctype, JsonNode? name, JsonObject fields)
    {
        if (doctype?.GetValue<string>() != Doctype) throw Unsupported(doctype);
        var docName = name?.GetValue<string>() ?? throw new BenchException("frappe.client.set_value: name is required");
        await SiteDatabase.ExecAsync(conn, Ddl);
        var current = await ReadAsync(conn, docName, withSecret: true)
            ?? throw new BenchException($"frappe.exceptions.DoesNotExistError: Social Login Key {docName} not found");
        var values = Normalize(current);
        foreach (var (key, value) in Normalize(fields))
        {
            if (key is "provider_name" or "social_login_provider" && values.GetValueOrDefault(key) is { Length: > 0 } was && was != value)
                throw new BenchException($"frappe.exceptions.CannotChangeConstantError: Social Login Key {docName}: cannot change {key} once set");
            values[key] = value;
        }
        Validate(values);
        await WriteAsync(conn, docName, values, insert: false);
        return await ReadAsync(conn, docName);
    }

    /// <summary>The stored doc (client_secret as the row has it: asterisks), or null.</summary>
    public static async Task<JsonObject?> ReadAsync(NpgsqlConnection conn, string name, bool withSecret = false)
    {
        await using var cmd = new NpgsqlCommand($"""SELECT name, {string.Join(", ", Columns)} FROM "tabSocial Login Key" WHERE name = $1""", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = name });
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync()) return null;
            var doc = new JsonObject { ["doctype"] = Doctype };
            for (var i = 0; i < r.FieldCount; i++) doc[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetString(i);
            if (!withSecret) return doc;
            await r.CloseAsync();
            doc["client_secret"] = await SiteDatabase.ScalarAsync(conn,
                """SELECT password FROM "__Auth" WHERE doctype = $1 AND name = $2 AND fieldname = 'client_secret'""", default, Doctype, name) as string;
            return doc;
        }
    }

    /// <summary>Frappe's casting on save: Check → "0"/"1", others to text; unknown fields dropped.</summary>
    private static Dictionary<string, string?> Normalize(JsonObject doc)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (key, node) in doc)
        {
            if (!Columns.Contains(key)) continue;
            var text = node switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.TryGetValue<bool>(out var b) => b ? "1" : "0",
                JsonValue v => v.ToJsonString(),
                _ => throw new BenchException($"frappe.exceptions.ValidationError: Social Login Key: {key} cannot hold {node.ToJsonString()}"),
            };
            values[key] = text;
        }
        return values;
    }

    private static void Validate(Dictionary<string, string?> v)
    {
        string? Get(string key) => v.GetValueOrDefault(key) is { Length: > 0 } s ? s : null;
        bool Checked(string key) => Get(key) is { } s && s != "0";
        // Frappe's own checks run in this order: mandatory (reqd), selects, lengths, then the controller's validate().
        if (Get("provider_name") is null)
            throw new BenchException("frappe.exceptions.MandatoryError: [Social Login Key, None]: provider_name");
        foreach (var (field, options) in Selects)
            if (Get(field) is { } value && !options.Contains(value))
                throw new BenchException($"frappe.exceptions.ValidationError: Social Login Key: {field} cannot be \"{value}\". It should be one of {string.Join(", ", options.Where(o => o.Length > 0).Select(o => $"\"{o}\""))}");
        foreach (var field in CheckFields)
            if (Get(field) is { } value && value is not ("0" or "1"))
                throw new BenchException($"frappe.exceptions.ValidationError: Social Login Key: {field} is a Check field (0 or 1), not {value}");
        foreach (var field in DataFields.Append("client_secret"))
            if (Get(field) is { Length: > 140 } long_)
                throw new BenchException($"frappe.exceptions.CharacterLengthExceededError: Social Login Key: {field} will get truncated, as max characters allowed is 140 (got {long_.Length})");
        if (Checked("custom_base_url") && Get("base_url") is null) throw new BenchException("frappe.exceptions.ValidationError: Please enter Base URL");
        if (Get("authorize_url") is null) throw new BenchException("frappe.exceptions.ValidationError: Please enter Authorize URL");
        if (Get("access_token_url") is null) throw new BenchException("frappe.exceptions.ValidationError: Please enter Access Token URL");
        if (Get("redirect_url") is null) throw new BenchException("frappe.exceptions.ValidationError: Please enter Redirect URL");
        if (Checked("enable_social_login") && Get("client_id") is null)
            throw new BenchException("frappe.exceptions.ValidationError: Please enter Client ID before social login is enabled");
        if (Checked("enable_social_login") && Get("client_secret") is null)
            throw new BenchException("frappe.exceptions.ValidationError: Please enter Client Secret before social login is enabled");
    }

    /// <summary>The row with the secret replaced by asterisks; the secret into __Auth (Frappe's <c>_save_passwords</c>).</summary>
    private static async Task WriteAsync(NpgsqlConnection conn, string name, Dictionary<string, string?> values, bool insert)
    {
        var secret = values.GetValueOrDefault("client_secret");
        var row = new Dictionary<string, string?>(values);
        if (secret is { Length: > 0 } && secret.Any(c => c != '*')) row["client_secret"] = new string('*', secret.Length);
        var columns = Columns.ToList();
        await using var tx = await conn.BeginTransactionAsync();
        var set = string.Join(", ", columns.Select((c, i) => $"{c} = ${i + 2}"));
        var sql = insert
            ? $"""INSERT INTO "tabSocial Login Key" (name, {string.Join(", ", columns)}) VALUES ($1, {string.Join(", ", columns.Select((_, i) => $"${i + 2}"))})"""
            : $"""UPDATE "tabSocial Login Key" SET {set}, modified = now() WHERE name = $1""";
        await SiteDatabase.ExecAsync(conn, sql, default, [name, .. columns.Select(c => (object?)row.GetValueOrDefault(c))]);
        if (secret is { Length: > 0 } && secret.Any(c => c != '*'))
            await SiteDatabase.ExecAsync(conn, """
                INSERT INTO "__Auth" (doctype, name, fieldname, password, encrypted) VALUES ($1, $2, 'client_secret', $3, 0)
                ON CONFLICT (doctype, name, fieldname) DO UPDATE SET password = EXCLUDED.password
                """, default, Doctype, name, secret);
        await tx.CommitAsync();
    }

    /// <summary><c>frappe.scrub</c>: lower case, spaces and hyphens to underscores.</summary>
    public static string Scrub(string text) => text.Replace(' ', '_').Replace('-', '_').ToLowerInvariant();

    private static BenchException Unsupported(JsonNode? doctype) =>
        BenchException.Usage($"the test double implements only the doctype Social Login Key, not {doctype?.ToJsonString() ?? "None"}");
}
