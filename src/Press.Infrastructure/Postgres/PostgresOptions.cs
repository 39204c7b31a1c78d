using System.Collections.Concurrent;
using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary><c>Press:Postgres</c>: how Press (its own non-superuser role) reaches the cluster.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Press:Postgres";

    /// <summary>
    /// The only schemas Press's sessions in a sites database look names up in. A tenant owns a schema there, and once a
    /// session acts as the tenant (<c>SET ROLE</c>) the default path's <c>"$user"</c> names exactly that schema: a
    /// function there with a closer signature than pg_catalog's would run instead of it (the class of CVE-2018-1058).
    /// </summary>
    public const string PinnedSearchPath = "pg_catalog, pg_temp";

    /// <summary>Connection string of Press's role to the metadata database, e.g. <c>Host=…;Username=press;Database=press</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Password of Press's role; usually from <c>Press__Postgres__Password_FILE</c>.</summary>
    public string? Password { get; set; }

    public string MetadataDatabase { get; set; } = "press";
    /// <summary>The first site database, made by bootstrap; the next ones are named after it (<c>press_sites_002</c>, …).</summary>
    public string SitesDatabase { get; set; } = "press_sites";

    /// <summary>
    /// Press's connections per site database at most. Press's own work there is short catalog statements and DDL (the
    /// tools and helper logins connect separately), so a small pool serves many jobs; there is one pool per database.
    /// </summary>
    public int SitesMaxPoolSize { get; set; } = 10;

    /// <summary>
    /// How long Press's statements in a sites database wait for a lock before failing (and being retried as a
    /// transient failure): a tenant's open transaction must not stall Press's DDL for ever.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public NpgsqlConnectionStringBuilder For(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database };
        if (!string.IsNullOrEmpty(Password)) builder.Password = Password;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "press";
        return builder;
    }

    /// <summary>Press's own role in a sites database: the search path pinned, lock waits bounded.</summary>
    public NpgsqlConnectionStringBuilder ForSites(string database) => Pinned(For(database));

    /// <summary>
    /// Another login (a tenant's) to a sites database, at the same server as Press's role, unpooled, with the same pins:
    /// whatever Press sends on it resolves only to pg_catalog.
    /// </summary>
    public NpgsqlConnectionStringBuilder ForLogin(string database, string user, string password)
    {
        var builder = Pinned(For(database));
        builder.Username = user;
        builder.Password = password;
        builder.Pooling = false;
        builder.Passfile = null;
        return builder;
    }

    private NpgsqlConnectionStringBuilder Pinned(NpgsqlConnectionStringBuilder builder)
    {
        builder.SearchPath = PinnedSearchPath;
        var lockTimeout = $"-c lock_timeout={(long)LockTimeout.TotalMilliseconds}";
        builder.Options = string.IsNullOrEmpty(builder.Options) ? lockTimeout : builder.Options + " " + lockTimeout;
        return builder;
    }
}

/// <summary>
/// The databases Press works in, each as Press's own role: the metadata database, and one pooled data source per site
/// database (docs/architecture.md §16), made when first used. Each site database's pool is bounded
/// (<see cref="PostgresOptions.SitesMaxPoolSize"/>) and lets idle connections go, so a hundred site databases do not
/// hold a hundred full pools.
/// </summary>
public sealed class PressDataSources(PostgresOptions options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _sites = new(StringComparer.Ordinal);

    public PostgresOptions Options => options;

    public NpgsqlDataSource Metadata { get; } = NpgsqlDataSource.Create(options.For(options.MetadataDatabase));

    /// <summary>
    /// The first sites database (the one bootstrap creates), search path pinned (<see cref="PostgresOptions.PinnedSearchPath"/>).
    /// It always exists, so statements on the cluster's shared catalogs (roles, pg_stat_activity) run here.
    /// </summary>
    public NpgsqlDataSource Sites => SitesIn(options.SitesDatabase);

    /// <summary>Press's pool for one site database, search path pinned.</summary>
    public NpgsqlDataSource SitesIn(string database) =>
        _sites.GetOrAdd(database, d => new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(Bounded(options.ForSites(d))))).Value;

    /// <summary>A connection as Press to a site's database.</summary>
    public async Task<NpgsqlConnection> OpenSitesAsync(string database, CancellationToken ct) =>
        await SitesIn(database).OpenConnectionAsync(ct);

    private NpgsqlConnectionStringBuilder Bounded(NpgsqlConnectionStringBuilder builder)
    {
        builder.MaxPoolSize = options.SitesMaxPoolSize;
        builder.ConnectionIdleLifetime = 60;
        return builder;
    }

    public async ValueTask DisposeAsync()
    {
        await Metadata.DisposeAsync();
        foreach (var source in _sites.Values.Where(l => l.IsValueCreated)) await source.Value.DisposeAsync();
    }
}
