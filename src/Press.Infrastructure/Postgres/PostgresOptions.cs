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
    public string SitesDatabase { get; set; } = "press_sites";

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

/// <summary>The two databases Press works in, each as Press's own role.</summary>
public sealed class PressDataSources(PostgresOptions options) : IAsyncDisposable
{
    public PostgresOptions Options => options;

    public NpgsqlDataSource Metadata { get; } = NpgsqlDataSource.Create(options.For(options.MetadataDatabase));

    /// <summary>The sites database, search path pinned (<see cref="PostgresOptions.PinnedSearchPath"/>).</summary>
    public NpgsqlDataSource Sites { get; } = NpgsqlDataSource.Create(options.ForSites(options.SitesDatabase));

    /// <summary>A connection as Press to a site's database (the pooled one for the usual sites database).</summary>
    public async Task<NpgsqlConnection> OpenSitesAsync(string database, CancellationToken ct)
    {
        if (database == options.SitesDatabase) return await Sites.OpenConnectionAsync(ct);
        var conn = new NpgsqlConnection(options.ForSites(database).ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    public async ValueTask DisposeAsync()
    {
        await Metadata.DisposeAsync();
        await Sites.DisposeAsync();
    }
}
