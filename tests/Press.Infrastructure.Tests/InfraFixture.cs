using System.Security.Cryptography;
using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Secrets;
using Press.Testing;

namespace Press.Infrastructure.Tests;

/// <summary>A site row as created by <see cref="SiteCommandStore.CreateSiteAsync"/>, with its plaintext database password.</summary>
public sealed record TestSite(Site Site, string Password, Job Job)
{
    public string Name => Site.Name;
    public string Role => Site.RoleName;
    public string Schema => Site.Location.Schema;
}

/// <summary>
/// One bootstrapped Press installation per test class (<see cref="PressDatabaseFixture"/>) plus the adapters wired the
/// way the manager and worker wire them, and helpers that create sites the way the NewSite job does.
/// </summary>
public class InfraFixture : IAsyncLifetime
{
    private readonly PressDatabaseFixture _database = new();
    private PressDataSources? _sources;

    public PressDatabase Db => _database.Db;
    public PressDataSources Sources => _sources ?? throw new InvalidOperationException("fixture not initialised");

    /// <summary>Deliberately not the defaults, so a test can tell the configured values were applied.</summary>
    public TenancyOptions Tenancy { get; } = new()
    {
        ConnectionLimit = 3,
        StatementTimeout = TimeSpan.FromSeconds(17),
        IdleInTransactionSessionTimeout = TimeSpan.FromSeconds(23),
        TempFileLimitMb = 77,
    };

    public AesGcmSecretProtector Secrets { get; private set; } = null!;
    public TenantDatabase Tenant { get; private set; } = null!;

    /// <summary>
    /// Bootstrap and teardown update shared catalog rows (CONNECT on <c>postgres</c>, the ACL of
    /// <c>temp_file_limit</c>); run concurrently from parallel test classes, PostgreSQL answers
    /// "XX000: tuple concurrently updated". This assembly's fixtures therefore take turns.
    /// </summary>
    private static readonly SemaphoreSlim ClusterWideDdl = new(1, 1);

    public static async Task OneAtATimeAsync(Func<Task> action)
    {
        await ClusterWideDdl.WaitAsync();
        try { await action(); }
        finally { ClusterWideDdl.Release(); }
    }

    public virtual async Task InitializeAsync()
    {
        await OneAtATimeAsync(_database.InitializeAsync);
        _sources = new PressDataSources(Db.Options);
        Tenancy.SitesDatabase = Db.SitesDatabase;
        Secrets = new AesGcmSecretProtector(new SecretsOptions { Key = Db.SecretsKey });
        Tenant = new TenantDatabase(Sources, Db.Options, Tenancy);
    }

    public virtual async Task DisposeAsync()
    {
        if (_sources is not null) await _sources.DisposeAsync();
        await OneAtATimeAsync(_database.DisposeAsync);
    }

    public SiteCommandStore Commands(TimeProvider? time = null) => new(Sources, time ?? TimeProvider.System);
    public SiteStore Store(TimeProvider? time = null) => new(Sources, time ?? TimeProvider.System);
    public JobStore Jobs(TimeProvider? time = null) => new(Sources, time ?? TimeProvider.System);

    public static string NewSiteName(string label = "site") =>
        $"{label}-{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 10)}.example.com";

    public static AuditEntry Audit(string action, string? siteName = null, string actor = "tester", string? target = null) =>
        new(actor, action, siteName, target, new Dictionary<string, string> { ["why"] = "test" }, "203.0.113.7");

    /// <summary>Inserts the site row, its NewSite job and the audit event, as <c>POST /api/sites</c> does.</summary>
    public async Task<TestSite> CreateSiteRowAsync(string? name = null, TimeProvider? time = null, string actor = "tester", string? database = null)
    {
        var identifier = TenantIdentifier.NewId();
        var password = SitePassword.New();
        // Not NewSiteRecord.For: the test needs the role's password in the clear, to log in as the site.
        var record = new NewSiteRecord(Id: Guid.CreateVersion7(), Name: name ?? NewSiteName(), Database: database ?? Db.SitesDatabase,
            Schema: identifier, RoleName: identifier, EncryptedPassword: Secrets.Protect(password), Apps: ["erpnext"],
            EncryptedAdminPassword: Secrets.Protect(SitePassword.New()));
        var job = await Commands(time).CreateSiteAsync(record, Recipes.NewSite, Audit("site.create", record.Name, actor), CancellationToken.None);
        var site = await Store().GetAsync(record.Id, CancellationToken.None)
                   ?? throw new InvalidOperationException($"site {record.Name} was not stored");
        return new TestSite(site, password, job);
    }

    /// <summary>
    /// The database side of the NewSite job: create-role, create-site-database, create-schema, configure-role,
    /// verify-login — in the first sites database, or in <paramref name="database"/>.
    /// </summary>
    public async Task<TestSite> ProvisionSiteAsync(string? name = null, string? database = null)
    {
        var s = await CreateSiteRowAsync(name, database: database);
        var ct = CancellationToken.None;
        // The password as the worker sees it: decrypted from the row.
        var password = Secrets.Unprotect(s.Site.EncryptedPassword);
        await Tenant.EnsureRoleAsync(s.Site, password, ct);
        await new SiteDatabases(Sources).EnsureAsync(s.Site.Location.Database, ct);
        await Tenant.EnsureSchemaAsync(s.Site, ct);
        await Tenant.ConfigureRoleAsync(s.Site, ct);
        await Tenant.VerifyLoginAsync(s.Site, password, ct);
        await WaitForNoSessionsAsync(s.Role); // VerifyLogin's session ends asynchronously on the server
        return s;
    }

    /// <summary>An unopened, unpooled connection as the site's own role to its database (or another one).</summary>
    public NpgsqlConnection ConnectAsSite(TestSite site, string? database = null) =>
        Db.ConnectionAs(site.Role, site.Password, database ?? site.Site.Location.Database);

    public async Task<NpgsqlConnection> OpenAsSiteAsync(TestSite site, string? database = null)
    {
        var conn = ConnectAsSite(site, database);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>An unopened, unpooled connection as Press's own role.</summary>
    public NpgsqlConnection ConnectAsPress(string? database = null) => Db.ConnectionAs(Db.PressRole, Db.PressPassword, database);

    public Task<T?> SuperScalarAsync<T>(string sql, params (string Name, object Value)[] args) =>
        SuperScalarInAsync<T>(Db.MetadataDatabase, sql, args);

    public async Task<T?> SuperScalarInAsync<T>(string database, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = await Db.OpenAsSuperuserAsync(database);
        var value = await Command(conn, sql, args).ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public Task<int> SuperExecAsync(string sql, params (string Name, object Value)[] args) =>
        SuperExecInAsync(Db.MetadataDatabase, sql, args);

    public async Task<int> SuperExecInAsync(string database, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = await Db.OpenAsSuperuserAsync(database);
        return await Command(conn, sql, args).ExecuteNonQueryAsync();
    }

    public static NpgsqlCommand Command(NpgsqlConnection conn, string sql, params (string Name, object Value)[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return cmd;
    }

    /// <summary>Ends every active job directly in the table, so a claim test sees only its own jobs.</summary>
    public Task<int> CancelActiveJobsAsync() => SuperExecAsync(
        "UPDATE jobs SET state = 'Cancelled', lease_owner = NULL, lease_expires_at = NULL WHERE state IN ('Queued', 'Running', 'Waiting')");

    /// <summary>Marks a job finished and sets the site state, as if a worker had run it.</summary>
    public async Task FinishJobAsync(Guid jobId, JobState state, SiteState siteState)
    {
        await SuperExecAsync("UPDATE jobs SET state = @s, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
            ("s", state.ToString()), ("id", jobId));
        await SuperExecAsync("UPDATE sites SET state = @s WHERE id = (SELECT site_id FROM jobs WHERE id = @id)",
            ("s", siteState.ToString()), ("id", jobId));
    }

    public Task SetSiteStateAsync(Guid siteId, SiteState state) =>
        SuperExecAsync("UPDATE sites SET state = @s WHERE id = @id", ("s", state.ToString()), ("id", siteId));

    public async Task<long> AuditCountAsync(string siteName, string? action = null) =>
        await SuperScalarAsync<long>("SELECT count(*) FROM audit_events WHERE site_name = @n AND (@a = '' OR action = @a)",
            ("n", siteName), ("a", action ?? ""));

    /// <summary>Waits until no backend of <paramref name="role"/> is left (closed connections end asynchronously).</summary>
    public async Task WaitForNoSessionsAsync(string role)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await SuperScalarInAsync<long>("postgres", "SELECT count(*) FROM pg_stat_activity WHERE usename = @r", ("r", role)) == 0)
                return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"sessions of {role} did not end within 5 s");
    }
}

public static class Concurrently
{
    /// <summary>Starts <paramref name="count"/> calls that all wait on one gate, opens it, and awaits them all.</summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> body)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            return await body(i);
        })).ToList();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }
}

public static class PgAssert
{
    /// <summary>Awaits <paramref name="action"/> and checks it failed with the given SQLSTATE (and message fragment).</summary>
    public static async Task<PostgresException> FailsAsync(string sqlState, Func<Task> action, string? messageContains = null)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(action);
        Assert.True(ex.SqlState == sqlState, $"expected SQLSTATE {sqlState}, got {ex.SqlState}: {ex.MessageText}");
        if (messageContains is not null) Assert.Contains(messageContains, ex.MessageText, StringComparison.Ordinal);
        return ex;
    }

    public static async Task<int> ExecAsync(this NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(this NpgsqlConnection conn, string sql, params (string Name, object Value)[] args)
    {
        await using var cmd = InfraFixture.Command(conn, sql, args);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
