using Npgsql;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Runs Core's placement rule (<see cref="SitePlacement"/>) inside a create's transaction (docs/architecture.md §16).
/// Creates take turns on one transaction-level advisory lock until they commit, so each sees the counts the ones before
/// it left (the trigger on <c>sites</c> keeps <c>site_databases.site_count</c>): a database never gets more sites than
/// the cap, and two creates that both find every database full name the same next one.
/// </summary>
internal static class SitePlacements
{
    /// <summary>One-key advisory locks: the migration runner's and bootstrap's use others.</summary>
    internal const long LockKey = 0x5052455353_16;

    public static async Task<string> ChooseAsync(NpgsqlConnection conn, SitePlacement placement, CancellationToken ct)
    {
        await conn.ExecAsync("SELECT pg_advisory_xact_lock(@k)", ct, ("k", LockKey));
        // What a cap change means for each database, recorded for the operator (the rule reads the counts, not this).
        await conn.ExecAsync("""
            UPDATE site_databases SET state = CASE WHEN site_count >= @cap THEN 'full' ELSE 'open' END
            WHERE state <> 'closed' AND state <> CASE WHEN site_count >= @cap THEN 'full' ELSE 'open' END
            """, ct, ("cap", placement.SitesPerDatabase));
        var fills = new List<SiteDatabaseFill>();
        await using (var cmd = Sql.Command(conn, "SELECT name, state = 'closed', site_count FROM site_databases"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) fills.Add(new SiteDatabaseFill(r.GetString(0), r.GetBoolean(1), r.GetInt32(2)));
        var chosen = placement.Choose(fills);
        // The row exists before the site's insert counts it, with the state the new count gives it.
        var count = fills.FirstOrDefault(f => f.Name == chosen)?.Sites ?? 0;
        await conn.ExecAsync("""
            INSERT INTO site_databases (name, state) VALUES (@n, 'open') ON CONFLICT (name) DO NOTHING;
            UPDATE site_databases SET state = 'full' WHERE name = @n AND state = 'open' AND @full
            """, ct, ("n", chosen), ("full", placement.IsFull(count + 1)));
        return chosen;
    }
}
