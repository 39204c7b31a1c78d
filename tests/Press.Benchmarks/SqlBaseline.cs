using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Press.Core.Tenancy;
using Press.Testing;

namespace Press.Benchmarks;

/// <summary>
/// Baseline A: the SQL a site needs and nothing else — the statements Press's NewSite steps run (CreateRole,
/// CreateSchema, ConfigureRole, VerifyLogin), sent straight over Npgsql as the Press role, one login as the new role
/// at the end. The floor the control plane's per-site time is compared with. Every role it creates is dropped again.
/// </summary>
public sealed class SqlBaseline(PressDatabase db) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _press = NpgsqlDataSource.Create(db.Options.For(db.SitesDatabase));
    private readonly ConcurrentQueue<string> _created = new();
    private readonly TenancyOptions _limits = new();
    private int _retries;

    public async Task<CreationRun> RunAsync(string label, int count, int concurrency, CancellationToken ct)
    {
        var before = Volatile.Read(ref _retries);
        var (times, wall) = await Timing.BoundedAsync(count, concurrency, (_, token) => OneSiteAsync(token), ct);
        return new CreationRun(label, concurrency, Summary.Of(times), wall, Volatile.Read(ref _retries) - before);
    }

    private async Task<double> OneSiteAsync(CancellationToken ct)
    {
        var id = TenantIdentifier.NewId();
        var password = SitePassword.New();
        _created.Enqueue(id);
        var start = Stopwatch.GetTimestamp();
        await using (var conn = await _press.OpenConnectionAsync(ct))
        {
            await Exec(conn, $"CREATE ROLE {id} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT {_limits.ConnectionLimit} PASSWORD '{password}'", ct);
            await Exec(conn, $"GRANT {id} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE", ct);
            await Exec(conn, $"CREATE SCHEMA {id} AUTHORIZATION {id}", ct);
            await Exec(conn, $"ALTER ROLE {id} SET search_path = {id}", ct);
            await Exec(conn, $"ALTER ROLE {id} SET statement_timeout = {(long)_limits.StatementTimeout.TotalMilliseconds}", ct);
            await Exec(conn, $"ALTER ROLE {id} SET idle_in_transaction_session_timeout = {(long)_limits.IdleInTransactionSessionTimeout.TotalMilliseconds}", ct);
        }
        // Concurrent GRANTs on one database rewrite the same pg_database row: PostgreSQL then fails one of them with
        // XX000 "tuple concurrently updated" (and Npgsql drops that connection). Retry at once on a fresh connection.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = await _press.OpenConnectionAsync(ct);
                await Exec(conn, $"GRANT CONNECT ON DATABASE \"{db.SitesDatabase}\" TO {id}", ct);
                break;
            }
            catch (PostgresException ex) when (IsConcurrentUpdate(ex) && attempt < 20)
            {
                Interlocked.Increment(ref _retries);
            }
        }
        var login = db.Options.For(db.SitesDatabase);
        login.Username = id;
        login.Password = password;
        login.Pooling = false;
        await using (var site = new NpgsqlConnection(login.ConnectionString))
        {
            await site.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT current_schema()", site);
            var schema = (string?)await cmd.ExecuteScalarAsync(ct);
            if (schema != id) throw new InvalidOperationException($"logged in as {id} but current_schema() is '{schema}'");
        }
        return Timing.MsSince(start);
    }

    /// <summary>Drops every role (and its schema and grants) the baseline made, as the superuser.</summary>
    public async Task CleanupAsync()
    {
        if (_created.IsEmpty) return;
        await using var conn = await db.OpenAsSuperuserAsync();
        while (_created.TryDequeue(out var id))
        {
            await Exec(conn, $"DROP OWNED BY {id} CASCADE", CancellationToken.None);
            await Exec(conn, $"DROP ROLE {id}", CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _press.DisposeAsync();
        await CleanupAsync();
    }

    public static bool IsConcurrentUpdate(PostgresException ex) => ex.SqlState == "XX000" && ex.MessageText.Contains("tuple concurrently updated");

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
