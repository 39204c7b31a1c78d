using Npgsql;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Each site's database size from the catalog (docs/architecture.md §15): <c>pg_total_relation_size</c> (a table with
/// its indexes and TOAST) summed over the tables, materialized views and sequences of its schema — one query per
/// database for every site in it, in Press's pinned session (§4). Size functions read the catalog and the files'
/// sizes; they run no tenant code, whatever the schema holds.
/// </summary>
public sealed class DatabaseSizes(PressDataSources sources) : IDatabaseSizes
{
    /// <summary>Schemas without any relation answer 0 (the LEFT JOIN); a schema that does not exist is not in the answer.</summary>
    public const string Query = """
        SELECT n.nspname, coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint
        FROM pg_catalog.pg_namespace n
        LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm', 'S')
        WHERE n.nspname = ANY(@schemas)
        GROUP BY n.nspname
        """;

    public async Task<SizeReport> MeasureAsync(IReadOnlyList<TenantLocation> locations, CancellationToken ct)
    {
        var bytes = new Dictionary<TenantLocation, long>();
        var reasons = new Dictionary<TenantLocation, string>();
        foreach (var database in locations.GroupBy(l => l.Database))
        {
            try
            {
                await MeasureAsync(database.Key, database.ToList(), bytes, reasons, ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable && database.Count() > 1)
            {
                // The size functions take a share lock on each relation; a site holding an exclusive one past
                // lock_timeout would cost every site its figure. Measured one schema at a time, only that site loses it.
                foreach (var location in database)
                    await MeasureAsync(database.Key, [location], bytes, reasons, ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or PostgresException && !ct.IsCancellationRequested)
            {
                foreach (var location in database) reasons[location] = $"database {database.Key} could not be read: {ex.Message}";
            }
        }
        return new SizeReport(bytes, reasons);
    }

    private async Task MeasureAsync(string database, IReadOnlyList<TenantLocation> locations, Dictionary<TenantLocation, long> bytes,
        Dictionary<TenantLocation, string> reasons, CancellationToken ct)
    {
        try
        {
            await using var conn = await sources.OpenSitesAsync(database, ct);
            await using var cmd = Sql.Command(conn, Query, ("schemas", locations.Select(l => l.Schema).ToArray()));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) bytes[new TenantLocation(database, r.GetString(0))] = r.GetInt64(1);
            foreach (var missing in locations.Where(l => !bytes.ContainsKey(l))) reasons[missing] = $"schema {missing.Schema} does not exist in {database}";
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable && locations.Count == 1)
        {
            reasons[locations[0]] = $"a lock on one of its tables, held by the site's own session past lock_timeout, kept its size from being read ({ex.MessageText})";
        }
    }
}
