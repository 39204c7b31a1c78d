using Npgsql;
using Press.Core.Audit;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Custom domains: extra host names of a site (table site_domains), unique across sites. Each change commits in one
/// transaction with the audit row and a bump of the site's updated_at (RouteSource's stamp covers both). The host-name
/// rules (Press's own host included) are Core's (DomainOperations); this store checks what needs the current state.
/// </summary>
public sealed class DomainStore(PressDataSources sources, TimeProvider time) : IDomainStore
{
    /// <summary>Adds a validated host name to a live site; returns the site's domains, sorted.</summary>
    public async Task<IReadOnlyList<string>> AddAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var siteId = await LockLiveSiteAsync(conn, siteName, purgedIsConflict: true, ct);

        var namedSite = await conn.ScalarAsync<string>($"SELECT name FROM sites WHERE name = @d AND {StateSql.SiteNotPurged()}", ct, ("d", domain));
        if (namedSite is not null)
            throw new ConflictException(namedSite == siteName
                ? $"'{domain}' is already the name of site '{siteName}': a domain is an extra host name."
                : $"'{domain}' is the name of site '{namedSite}': choose another domain.");

        var (owner, ownerState) = await DomainOwnerAsync(conn, domain, ct);
        if (owner is not null && ownerState == nameof(SiteState.Purged))
        {
            // A purged site's domains are history: the name is free again.
            await conn.ExecAsync("DELETE FROM site_domains WHERE domain = @d", ct, ("d", domain));
            owner = null;
        }
        if (owner is not null) throw Taken(domain, owner, siteName);

        try
        {
            await conn.ExecAsync("""
                INSERT INTO site_domains (domain, site_id, created_at, created_by) VALUES (@d, @s, @now, @by)
                """, ct, ("d", domain), ("s", siteId), ("now", now), ("by", audit.Actor));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Lost a race with another request for the same domain.
            await tx.RollbackAsync(ct);
            var (winner, _) = await DomainOwnerAsync(conn, domain, ct);
            throw Taken(domain, winner ?? "another site", siteName);
        }
        await TouchAsync(conn, siteId, now, ct);
        await AuditLog.InsertAsync(conn, audit with { SiteName = siteName, Target = domain }, now, ct);
        var domains = await ListAsync(conn, siteId, ct);
        await tx.CommitAsync(ct);
        return domains;
    }

    /// <summary>Removes one of the site's domains; NotFound when the site has no such domain.</summary>
    public async Task RemoveAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var siteId = await LockLiveSiteAsync(conn, siteName, purgedIsConflict: false, ct);
        if (await conn.ExecAsync("DELETE FROM site_domains WHERE domain = @d AND site_id = @s", ct, ("d", domain), ("s", siteId)) == 0)
            throw new NotFoundException($"Site '{siteName}' has no domain '{domain}'.");
        await TouchAsync(conn, siteId, now, ct);
        await AuditLog.InsertAsync(conn, audit with { SiteName = siteName, Target = domain }, now, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<Guid> LockLiveSiteAsync(NpgsqlConnection conn, string siteName, bool purgedIsConflict, CancellationToken ct)
    {
        var id = await conn.ScalarAsync<Guid?>($"SELECT id FROM sites WHERE name = @n AND {StateSql.SiteNotPurged()} FOR UPDATE", ct, ("n", siteName));
        if (id is { } found) return found;
        if (purgedIsConflict && await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM sites WHERE name = @n)", ct, ("n", siteName)))
            throw new ConflictException($"Site '{siteName}' was purged: a purged site has no host names.");
        throw SiteErrors.NotFound(siteName);
    }

    private static async Task<(string? Site, string? State)> DomainOwnerAsync(NpgsqlConnection conn, string domain, CancellationToken ct)
    {
        await using var cmd = Sql.Command(conn, """
            SELECT s.name, s.state FROM site_domains d JOIN sites s ON s.id = d.site_id WHERE d.domain = @d FOR UPDATE OF d
            """, ("d", domain));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetString(1)) : (null, null);
    }

    private static ConflictException Taken(string domain, string owner, string siteName) =>
        new(owner == siteName
            ? $"'{domain}' is already a domain of site '{siteName}'."
            : $"'{domain}' is already a domain of site '{owner}': remove it there first.");

    /// <summary>The site changed (its host names): updated_at moves with it, as on every other change of the site.</summary>
    private static Task TouchAsync(NpgsqlConnection conn, Guid siteId, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecAsync("UPDATE sites SET updated_at = @now WHERE id = @s", ct, ("now", now), ("s", siteId));

    private static async Task<IReadOnlyList<string>> ListAsync(NpgsqlConnection conn, Guid siteId, CancellationToken ct)
    {
        await using var cmd = Sql.Command(conn, """SELECT domain FROM site_domains WHERE site_id = @s ORDER BY domain COLLATE "C" """, ("s", siteId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }
}
