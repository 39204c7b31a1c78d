using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Statements that rewrite a sites database's one row in <c>pg_database</c> (GRANT/REVOKE on the database): two sessions
/// doing it at once make the later fail with "tuple concurrently updated", and whoever holds the row stalls everyone
/// else's grants. So Press's take turns on one advisory lock, held in Press's OWN metadata database — an advisory lock
/// in the sites database could be taken, and held for ever, by any tenant that connects there — and each runs in a
/// short transaction of its own, never inside a long one (a restore grants nothing on the database).
/// </summary>
internal static class DatabaseRow
{
    /// <summary>Two-key advisory locks live apart from the one-key ones (MigrationRunner's, the bootstrap's).</summary>
    private const int LockClass = 0x50525353; // "PRSS"

    public static async Task RunAsync(PressDataSources sources, string database, Func<NpgsqlConnection, Task> statements, CancellationToken ct)
    {
        await using var meta = await sources.Metadata.OpenConnectionAsync(ct);
        await using var turn = await TakeTurnAsync(sources, meta, database, ct);

        await using var conn = await sources.OpenSitesAsync(database, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await statements(conn);
        await tx.CommitAsync(ct);
        await turn.CommitAsync(ct);
    }

    /// <summary>Waits for the database's turn on <paramref name="meta"/>; the turn lasts until the returned transaction ends.</summary>
    public static async Task<NpgsqlTransaction> TakeTurnAsync(PressDataSources sources, NpgsqlConnection meta, string database, CancellationToken ct)
    {
        var turn = await meta.BeginTransactionAsync(ct);
        await meta.ExecAsync($"SET LOCAL lock_timeout = {(long)sources.Options.LockTimeout.TotalMilliseconds * 3}", ct);
        await meta.ExecAsync("SELECT pg_catalog.pg_advisory_xact_lock(@c, pg_catalog.hashtext(@db))", ct, ("c", LockClass), ("db", database));
        return turn;
    }
}
