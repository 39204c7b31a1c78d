using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary><c>Press:Postgres</c>: how Press (its own non-superuser role) reaches the cluster.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Press:Postgres";

    /// <summary>Connection string of Press's role to the metadata database, e.g. <c>Host=…;Username=press;Database=press</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Password of Press's role; usually from <c>Press__Postgres__Password_FILE</c>.</summary>
    public string? Password { get; set; }

    public string MetadataDatabase { get; set; } = "press";
    public string SitesDatabase { get; set; } = "press_sites";

    public NpgsqlConnectionStringBuilder For(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database };
        if (!string.IsNullOrEmpty(Password)) builder.Password = Password;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "press";
        return builder;
    }
}

/// <summary>The two databases Press works in, each as Press's own role.</summary>
public sealed class PressDataSources(PostgresOptions options) : IAsyncDisposable
{
    public NpgsqlDataSource Metadata { get; } = NpgsqlDataSource.Create(options.For(options.MetadataDatabase));
    public NpgsqlDataSource Sites { get; } = NpgsqlDataSource.Create(options.For(options.SitesDatabase));

    public async ValueTask DisposeAsync()
    {
        await Metadata.DisposeAsync();
        await Sites.DisposeAsync();
    }
}
