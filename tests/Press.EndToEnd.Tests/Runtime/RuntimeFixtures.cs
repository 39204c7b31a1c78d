using System.Text.Json;
using Npgsql;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The site-runtime test classes run one after another. Runner ports are unique per installation only (each class has
/// its own), and every runner binds 127.0.0.1:port on the host network; the reconciler also counts every
/// Press-labelled container on the engine. So two classes at once would take the same ports and see each other's
/// containers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SiteRuntimeCollection
{
    public const string Name = "site runtimes";
}

/// <summary>A fresh installation served by the Docker driver (the test engine, the Frappe test double's image).</summary>
public class DockerStackFixture : IAsyncLifetime
{
    private RuntimeStack? _stack;
    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync() => _stack = await RuntimeStack.StartDockerAsync();

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}

/// <summary>A fresh installation served by the process driver, with a temporary bench folder and the double as bench.</summary>
public sealed class ProcessStackFixture : IAsyncLifetime
{
    private RuntimeStack? _stack;
    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync() => _stack = await RuntimeStack.StartProcessAsync();

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}

/// <summary>Reads what a runner was given: its site_config.json (inside the container, or in the bench folder).</summary>
public static class SiteFiles
{
    public const string BenchFolder = "/home/frappe/frappe-bench";

    public static readonly string[] ConfigKeys = ["db_type", "db_host", "db_port", "db_name", "db_user", "db_password", "db_schema", "redis_cache", "redis_queue", "redis_socketio", "host_name"];

    /// <summary>Where a Docker runner finds its own Redis (the sidecar's volume, read-only).</summary>
    public const string RedisSocketInRunner = "/run/press-redis/redis.sock";

    /// <summary>Tables the double's new-site creates in the site's schema (unqualified names, role search_path).</summary>
    public static readonly string[] FrappeTables = ["tabDocType", "tabDefaultValue", "tabSingles", "__Auth", "tabFile", "tabInstalled Application", "tabPatch Log", "tabNote"];

    public static string ConfigPathInContainer(string site) => $"{BenchFolder}/sites/{site}/site_config.json";

    public static async Task<JsonElement> ReadConfigInContainerAsync(string site)
    {
        var cat = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(site), "cat", ConfigPathInContainer(site));
        Assert.True(cat.ExitCode == 0, $"cannot read site_config.json of {site}: {cat}");
        return JsonDocument.Parse(cat.Stdout).RootElement.Clone();
    }

    public static IReadOnlyList<string> Keys(JsonElement config) => config.EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>Tables in the site's schema, as PostgreSQL's catalog lists them.</summary>
    public static async Task<List<string>> TablesAsync(PressDatabase db, string schema)
    {
        await using var conn = await db.OpenAsSuperuserAsync();
        await using var cmd = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = @s ORDER BY 1", conn);
        cmd.Parameters.AddWithValue("s", schema);
        var tables = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) tables.Add(r.GetString(0));
        return tables;
    }
}
