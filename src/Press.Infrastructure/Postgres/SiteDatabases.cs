using Npgsql;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Creates site databases as Press (CREATEDB, granted by bootstrap; docs/architecture.md §16). Two jobs placing sites in
/// the same new database take turns on the database's advisory lock in the metadata database (the same turn its grants
/// take, <see cref="DatabaseRow"/>); the second finds it made. <c>CREATE DATABASE</c> cannot run inside a transaction,
/// so it runs on a second session while the first holds the turn.
/// </summary>
public sealed class SiteDatabases(PressDataSources sources) : ISiteDatabases
{
    public async Task<string> EnsureAsync(string database, CancellationToken ct)
    {
        await using var meta = await sources.Metadata.OpenConnectionAsync(ct);
        await using var turn = await DatabaseRow.TakeTurnAsync(sources, meta, database, ct);
        var owner = await meta.ScalarAsync<string>(
            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = @d", ct, ("d", database));
        var me = await meta.ScalarAsync<string>("SELECT current_user", ct);
        string found;
        if (owner is null)
        {
            await using var create = await sources.Metadata.OpenConnectionAsync(ct);
            try
            {
                await create.ExecAsync($"CREATE DATABASE {Sql.Ident(database)} ENCODING 'UTF8' TEMPLATE template0", ct);
                found = $"created database {database}";
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Made outside our turn (by hand, or a bootstrap): judged by its owner below like any existing one.
                owner = await meta.ScalarAsync<string>(
                    "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = @d", ct, ("d", database));
                found = $"database {database} already existed";
            }
        }
        else found = $"database {database} already existed";
        if (owner is not null && owner != me)
            throw new StepFailedException(FailureKind.Permanent,
                $"database {database} exists but is owned by {owner}, not {me}: Press puts sites only in databases it owns (rename or drop it, or close it in site_databases)");

        string hardened;
        await using (var cluster = await sources.Metadata.OpenConnectionAsync(ct))
        {
            if (await DatabaseHardening.IsAppliedAsync(cluster, c => sources.OpenSitesAsync(database, c), database, ct))
                hardened = "already closed to PUBLIC";
            else
            {
                await DatabaseHardening.ApplyAsync(cluster, c => sources.OpenSitesAsync(database, c), database, "CURRENT_USER", ct);
                hardened = "CONNECT and TEMPORARY revoked from PUBLIC, schema public closed";
            }
        }
        await turn.CommitAsync(ct);
        return $"{found}; {hardened}";
    }

    public async Task<IReadOnlyList<SiteDatabaseFill>> ListAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, "SELECT name, state = 'closed', site_count FROM site_databases ORDER BY name");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SiteDatabaseFill>();
        while (await r.ReadAsync(ct)) list.Add(new SiteDatabaseFill(r.GetString(0), r.GetBoolean(1), r.GetInt32(2)));
        return list;
    }
}
