using Newtonsoft.Json.Linq;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>Where the deployment files are: <c>&lt;repo&gt;/docker</c>, and the published schemas in <c>&lt;repo&gt;/tests/schemas</c>.</summary>
internal static class DeploymentPaths
{
    public static string Repo { get; } = FindRepo();
    public static string Docker => Path.Combine(Repo, "docker");
    public static string Schemas => Path.Combine(Repo, "tests", "schemas");

    public static string InDocker(string relative) => Path.GetFullPath(Path.Combine(Docker, relative));

    public static string ReadDocker(string relative) => File.ReadAllText(InDocker(relative));

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Press.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Press.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>A compose file read as JSON (<see cref="YamlJson"/>), with typed views of the parts the tests check.</summary>
internal sealed class ComposeFile
{
    public const string DevelopmentName = "compose.yaml";
    public const string ProductionName = "docker-compose.production.yml";

    private static readonly Dictionary<string, Lazy<ComposeFile>> Cache = new()
    {
        [DevelopmentName] = new(() => new ComposeFile(DevelopmentName)),
        [ProductionName] = new(() => new ComposeFile(ProductionName)),
    };

    public static ComposeFile Get(string name) => Cache[name].Value;
    public static ComposeFile Development => Get(DevelopmentName);
    public static ComposeFile Production => Get(ProductionName);

    private ComposeFile(string name)
    {
        Name = name;
        Root = (JObject)YamlJson.Load(DeploymentPaths.InDocker(name));
        Services = ((JObject?)Root["services"] ?? [])
            .Properties().ToDictionary(p => p.Name, p => new ComposeService(p.Name, (JObject)p.Value));
    }

    public string Name { get; }
    public JObject Root { get; }
    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    /// <summary>Top-level <c>secrets:</c> as name → definition.</summary>
    public IReadOnlyDictionary<string, JObject> Secrets =>
        ((JObject?)Root["secrets"] ?? []).Properties().ToDictionary(p => p.Name, p => (JObject)p.Value);

    public IReadOnlyDictionary<string, JObject> Volumes =>
        ((JObject?)Root["volumes"] ?? []).Properties().ToDictionary(p => p.Name, p => (JObject)p.Value);

    public ComposeService this[string service] => Services[service];
}

internal sealed class ComposeService(string name, JObject node)
{
    public string Name { get; } = name;
    public JObject Node { get; } = node;

    public string? Str(string key) => (string?)Node[key];

    /// <summary><c>environment:</c> in map or <c>KEY=VALUE</c> list form; values as text (null when unset).</summary>
    public IReadOnlyDictionary<string, string?> Environment => Node["environment"] switch
    {
        JObject map => map.Properties().ToDictionary(p => p.Name, p => Text(p.Value)),
        JArray list => list.Select(i => ((string)i!).Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length == 2 ? kv[1] : null),
        _ => new Dictionary<string, string?>(),
    };

    public IReadOnlyList<string> Command => Words(Node["command"]);
    public IReadOnlyList<string> Entrypoint => Words(Node["entrypoint"]);

    /// <summary>The health check's test, without its CMD/CMD-SHELL marker; empty when none.</summary>
    public IReadOnlyList<string> HealthTest
    {
        get
        {
            var test = Words(Node["healthcheck"]?["test"]);
            return test.Count > 0 && test[0] is "CMD" or "CMD-SHELL" ? test.Skip(1).ToList() : test;
        }
    }

    public bool HealthcheckDisabled => (bool?)Node["healthcheck"]?["disable"] == true
        || Words(Node["healthcheck"]?["test"]) is ["NONE"];

    public bool HasHealthcheck => !HealthcheckDisabled && HealthTest.Count > 0;

    /// <summary>Names of the secrets the service mounts (short or long syntax).</summary>
    public IReadOnlyList<string> Secrets => ((JArray?)Node["secrets"] ?? [])
        .Select(s => s is JObject o ? (string)o["source"]! : (string)s!).ToList();

    /// <summary>Dependency → condition (null for the short list form, which has none).</summary>
    public IReadOnlyDictionary<string, string?> DependsOn => Node["depends_on"] switch
    {
        JObject map => map.Properties().ToDictionary(p => p.Name, p => (string?)p.Value["condition"]),
        JArray list => list.ToDictionary(i => (string)i!, _ => (string?)null),
        _ => new Dictionary<string, string?>(),
    };

    /// <summary><c>volumes:</c> as <c>source:target[:mode]</c> strings (long syntax rendered the same way).</summary>
    public IReadOnlyList<string> Volumes => ((JArray?)Node["volumes"] ?? [])
        .Select(v => v is JObject o ? $"{o["source"]}:{o["target"]}" : (string)v!).ToList();

    private static string? Text(JToken token) => token.Type switch
    {
        JTokenType.Null => null,
        JTokenType.Boolean => (bool)token ? "true" : "false",
        _ => token.ToString(),
    };

    private static IReadOnlyList<string> Words(JToken? token) => token switch
    {
        null => [],
        JArray list => list.Select(i => Text(i) ?? "").ToList(),
        _ => (Text(token) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
    };
}
