using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Press.Infrastructure.Postgres;

namespace Press.Testing;

/// <summary>
/// A fresh, bootstrapped Press installation on the test server: its own Press role and its own pair of databases,
/// so test classes never see each other's sites. Use as an xunit class fixture; disposal drops everything.
/// </summary>
public sealed class PressDatabase : IAsyncDisposable
{
    public string Suffix { get; } = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 10);
    public string PressRole => $"press_{Suffix}";
    public string PressPassword { get; } = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789", 32);
    public string MetadataDatabase => $"press_{Suffix}";
    public string SitesDatabase => $"press_sites_{Suffix}";
    public string SecretsKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public string AdminPassword { get; } = "admin-" + RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz23456789", 20);
    public string Redis { get; } = TestServices.Redis;

    public PostgresOptions Options { get; }

    /// <summary>The superuser connection string of the server this installation lives on.</summary>
    public string Superuser { get; }

    private PressDatabase(string superuser)
    {
        Superuser = superuser;
        var su = new NpgsqlConnectionStringBuilder(superuser);
        Options = new PostgresOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = su.Host, Port = su.Port, Username = PressRole, Database = MetadataDatabase, MaxPoolSize = 40,
            }.ConnectionString,
            Password = PressPassword,
            MetadataDatabase = MetadataDatabase,
            SitesDatabase = SitesDatabase,
        };
    }

    /// <summary>This installation's options with the connection string changed (a proxy's port, a shorter timeout)
    /// and/or another password: how a test makes Press reach PostgreSQL through a fault.</summary>
    public PostgresOptions OptionsWith(Action<NpgsqlConnectionStringBuilder>? connection = null, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Options.ConnectionString);
        connection?.Invoke(builder);
        return new PostgresOptions
        {
            ConnectionString = builder.ConnectionString, Password = password ?? Options.Password,
            MetadataDatabase = Options.MetadataDatabase, SitesDatabase = Options.SitesDatabase,
        };
    }

    /// <summary>Bootstraps (role, databases, revocations) and applies the metadata migrations.</summary>
    /// <param name="superuser">The server's superuser connection string; the main test server by default.</param>
    public static async Task<PressDatabase> CreateAsync(string? superuser = null)
    {
        var db = new PressDatabase(superuser ?? TestServices.PostgresSuperuser);
        await using var sources = new PressDataSources(db.Options);
        // Bootstrap applies the migrations itself (as Press) before it hands the audit table over.
        await new Bootstrapper(db.Options, new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance), NullLogger<Bootstrapper>.Instance)
            .RunAsync(db.Superuser, CancellationToken.None);
        return db;
    }

    /// <summary>Configuration keys as the manager and worker read them (also usable as <c>Press__…</c> env vars).</summary>
    /// <summary>This installation's local-folder object store (backups), deleted with it.</summary>
    public string ObjectStoreFolder => Path.Combine(Path.GetTempPath(), "press-test-objects", Suffix);

    public Dictionary<string, string?> Settings() => new()
    {
        ["Press:Backups:ToolsFolder"] = TestServices.PgTools,
        ["Press:ObjectStore:Folder"] = ObjectStoreFolder,
        ["Press:Postgres:ConnectionString"] = Options.ConnectionString,
        ["Press:Postgres:Password"] = PressPassword,
        ["Press:Postgres:MetadataDatabase"] = MetadataDatabase,
        ["Press:Postgres:SitesDatabase"] = SitesDatabase,
        ["Press:Redis:Configuration"] = Redis,
        ["Press:Redis:Password"] = TestServices.RedisPassword,
        ["Press:Secrets:Key"] = SecretsKey,
        ["Press:Admin:UserName"] = "admin",
        ["Press:Admin:Password"] = AdminPassword,
        ["Press:Runtime:Driver"] = "none",
        // No embedded proxy: its default port 48580 is one per machine (a dev Press may hold it) and tests run managers
        // in parallel. The ingress tests give theirs a port of their own.
        ["Press:Ingress:ProxyUrl"] = "",
    };

    public IConfiguration Configuration(IDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(Settings()).AddInMemoryCollection(overrides ?? new Dictionary<string, string?>()).Build();

    /// <summary>Environment variables for a child process (manager, worker).</summary>
    public Dictionary<string, string> Environment(IDictionary<string, string?>? overrides = null)
    {
        var env = new Dictionary<string, string>();
        foreach (var (k, v) in Settings().Concat(overrides ?? new Dictionary<string, string?>()))
            if (v is not null) env[k.Replace(":", "__")] = v;
        return env;
    }

    /// <summary>A superuser connection to one of this installation's databases (for assertions only).</summary>
    public async Task<NpgsqlConnection> OpenAsSuperuserAsync(string? database = null)
    {
        var cs = new NpgsqlConnectionStringBuilder(Superuser) { Database = database ?? SitesDatabase, Pooling = false };
        var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>A connection as an arbitrary role (a site role, to prove what it can and cannot do).</summary>
    public NpgsqlConnection ConnectionAs(string role, string password, string? database = null)
    {
        var su = new NpgsqlConnectionStringBuilder(Superuser);
        return new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = su.Host, Port = su.Port, Username = role, Password = password, Database = database ?? SitesDatabase, Pooling = false,
        }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(ObjectStoreFolder)) Directory.Delete(ObjectStoreFolder, recursive: true);
        NpgsqlConnection.ClearAllPools();
        await using var conn = await OpenAsSuperuserAsync("postgres");
        // Same lock as Bootstrapper: dropping roles and parameter grants rewrites shared catalog rows.
        await Exec(conn, $"SELECT pg_advisory_lock({Bootstrapper.ClusterLockKey})");
        var siteRoles = new List<string>();
        await using (var cmd = new NpgsqlCommand($"SELECT role_name FROM sites", await OpenAsSuperuserAsync(MetadataDatabase)))
        {
            try
            {
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) siteRoles.Add(r.GetString(0));
            }
            finally { await cmd.Connection!.DisposeAsync(); }
        }
        // The site databases Press created beside the first one (press_sites_<suffix>_002, …; docs/architecture.md §16).
        var databases = new List<string> { SitesDatabase, MetadataDatabase };
        await using (var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @p)", conn))
        {
            cmd.Parameters.AddWithValue("p", SitesDatabase + "_");
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) databases.Add(r.GetString(0));
        }
        foreach (var db in databases)
            await Exec(conn, $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
        foreach (var role in siteRoles)
        {
            // Helper logins a killed operation left behind (they are members of the site role, named after it).
            var helpers = new List<string>();
            await using (var cmd = new NpgsqlCommand("SELECT rolname FROM pg_roles WHERE starts_with(rolname, @p)", conn))
            {
                cmd.Parameters.AddWithValue("p", role + "_a");
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) helpers.Add(r.GetString(0));
            }
            foreach (var helper in helpers) await Exec(conn, $"DROP ROLE IF EXISTS \"{helper}\"");
            await Exec(conn, $"DROP ROLE IF EXISTS \"{role}\"");
        }
        await Exec(conn, $"REVOKE SET ON PARAMETER temp_file_limit FROM \"{PressRole}\"");
        await Exec(conn, $"DROP ROLE IF EXISTS \"{PressRole}\"");
        await Exec(conn, $"DROP ROLE IF EXISTS \"{AuditTable.OwnerFor(PressRole)}\"");
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
