using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Press.FrappeDouble.Cli;

namespace Press.FrappeDouble.Site;

/// <summary>
/// <c>sites/SITE/site_config.json</c>. Writes follow <c>frappe/installer.py::update_site_config</c>: under the
/// site's <c>site_config</c> file lock, values "0"/"1" become ints, "true"/"false" booleans, "None" deletes the key,
/// and the file is rewritten with <c>indent=1, sort_keys=True</c>.
/// </summary>
public sealed class SiteConfig
{
    /// <summary>Keys Press must write before new-site (docs/frappe.md §1 step 2, plus the site's own cache and queue Redis).</summary>
    public static readonly string[] RequiredForNewSite =
        ["db_type", "db_host", "db_port", "db_name", "db_user", "db_password", "db_schema", "redis_cache", "redis_queue"];

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true, IndentSize = 1, Encoder = JavaScriptEncoder.Default,
    };

    private SiteConfig(string sitePath, JsonObject values)
    {
        SitePath = sitePath;
        Values = values;
    }

    public string SitePath { get; }

    public JsonObject Values { get; }

    public static string FilePath(string sitePath) => Path.Combine(sitePath, "site_config.json");

    /// <summary>The config, or null when the site folder or its site_config.json does not exist.</summary>
    public static SiteConfig? TryLoad(string sitePath)
    {
        var file = FilePath(sitePath);
        if (!File.Exists(file)) return null;
        var node = JsonNode.Parse(File.ReadAllText(file));
        return node is JsonObject obj
            ? new SiteConfig(sitePath, obj)
            : throw new BenchException($"{file} does not hold a JSON object.");
    }

    /// <summary>Frappe's "Site X does not exist!" when the folder or its config is missing.</summary>
    public static SiteConfig Load(BenchFolder bench, string site)
    {
        var path = bench.SitePath(site) ?? throw new BenchException($"Invalid site name: {site}");
        if (!Directory.Exists(path)) throw new BenchException($"Site {site} does not exist!");
        return TryLoad(path) ?? throw new BenchException($"Site {site} has no site_config.json ({FilePath(path)}).");
    }

    public string? String(string key) => Values[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    public bool IsSet(string key) => String(key) is { Length: > 0 };

    /// <summary>Frappe's <c>cint(conf.get(key))</c> as a truth value (1, "1", true).</summary>
    public bool Flag(string key) => String(key) is "1" or "true" || (long.TryParse(String(key), out var n) && n != 0);

    /// <summary>Sets KEY (null JSON for Python None), or deletes it when the value is the string "None".</summary>
    public static async Task UpdateAsync(string sitePath, string key, JsonNode? value)
    {
        using (await FileLock.AcquireAsync(sitePath, "site_config", TimeSpan.FromSeconds(30)))
        {
            var config = TryLoad(sitePath) ?? throw new BenchException($"{FilePath(sitePath)} does not exist.");
            var s = value is JsonValue v && v.TryGetValue<string>(out var str) ? str : null;
            value = s switch
            {
                "0" => 0,
                "1" => 1,
                "false" => false,
                "true" => true,
                _ => value,
            };
            if (s == "None") config.Values.Remove(key);
            else config.Values[key] = value;
            // In place, as Frappe does: owner and mode of Press's file stay, and the same write permission is needed.
            // The server tolerates reading a half-written file (it retries), as Frappe's readers must too.
            await File.WriteAllTextAsync(FilePath(sitePath), Sorted(config.Values)!.ToJsonString(WriteOptions));
        }
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
