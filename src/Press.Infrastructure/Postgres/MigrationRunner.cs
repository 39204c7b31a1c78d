using Microsoft.Extensions.Logging;
using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> files in order, each in its own transaction together with
/// its row in <c>schema_migrations</c>. An advisory lock keeps manager and worker from migrating at the same time.
/// It is the first thing manager and worker do, so it waits out a PostgreSQL that is not up yet, restarting, or too
/// busy to answer (transient errors, retried as the job store retries them, for up to five minutes) instead of
/// ending the process; a wrong password or a failing migration ends it at once.
/// </summary>
public sealed partial class MigrationRunner(PressDataSources sources, ILogger<MigrationRunner> logger, TimeProvider? time = null)
{
    private const long AdvisoryLockKey = 0x5052455353_01; // "PRESS" + 1

    public static IReadOnlyList<(int Version, string Name, string Sql)> Embedded { get; } = LoadEmbedded();

    public Task<int> ApplyAsync(CancellationToken ct) =>
        PostgresErrors.RetryAsync(async token =>
        {
            try { return await ApplyOnceAsync(token); }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !token.IsCancellationRequested)
            {
                LogWaiting(ex.Message);
                throw;
            }
        }, time ?? TimeProvider.System, ct);

    private async Task<int> ApplyOnceAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await Exec(conn, "SELECT pg_advisory_lock(@k)", ct, ("k", AdvisoryLockKey));
        try
        {
            await Exec(conn, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, ct);
            var applied = new HashSet<int>();
            await using (var cmd = new NpgsqlCommand("SELECT version FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetInt32(0));

            var count = 0;
            foreach (var (version, name, sql) in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@v, @n)", conn, tx))
                {
                    cmd.Parameters.AddWithValue("v", version);
                    cmd.Parameters.AddWithValue("n", name);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                LogApplied(version, name);
                count++;
            }
            var press = await conn.ScalarAsync<string>("SELECT current_user::text", ct);
            if (await AuditTable.OwnedByAsync(conn, press!, ct)) LogAuditOwnedByPress(press!);
            return count;
        }
        finally
        {
            await Exec(conn, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", AdvisoryLockKey));
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<(int, string, string)> LoadEmbedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "migrations/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (int.Parse(file[..4]), file[5..], reader.ReadToEnd());
            })
            .OrderBy(m => m.Item1)
            .ToList();
    }

    [LoggerMessage(LogLevel.Warning, "PostgreSQL does not answer yet ({Error}); trying the migrations again shortly")]
    private partial void LogWaiting(string error);

    [LoggerMessage(LogLevel.Information, "Applied metadata migration {Version} ({Name})")]
    private partial void LogApplied(int version, string name);

    [LoggerMessage(LogLevel.Warning, "audit_events still belongs to Press's own role {Role}, which could therefore rewrite the audit log: " +
                                     "run `press-manager bootstrap` again (it hands the table to a role Press cannot become)")]
    private partial void LogAuditOwnedByPress(string role);
}
