using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// The audit table (<c>audit_events</c>) belongs to a NOLOGIN role that only bootstrap's superuser can act as, so
/// Press's own role — or whoever holds its password — can append and read but never change, drop or re-own it, nor
/// touch its append-only trigger. Migrations run as Press and create the table as Press's (on a fresh installation,
/// and any that predates this), so bootstrap hands it over after they ran; running bootstrap again re-applies it.
/// Schema <c>public</c> of the metadata database moves to that role too: its owner (by default the database's owner,
/// Press) could drop any table in it.
/// </summary>
public static class AuditTable
{
    public static string OwnerFor(string pressRole) => pressRole + "_audit";

    internal static async Task SecureAsync(NpgsqlConnectionStringBuilder superuser, string metadataDatabase, string pressRole, CancellationToken ct)
    {
        var owner = Sql.Ident(OwnerFor(pressRole));
        var press = Sql.Ident(pressRole);
        await using var conn = await Bootstrapper.Open(superuser, metadataDatabase, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"ALTER SCHEMA public OWNER TO {owner}", ct);
        await conn.ExecAsync($"GRANT USAGE, CREATE ON SCHEMA public TO {press}", ct);
        // ALTER TABLE … OWNER takes the table's own sequence (bigserial) along.
        await conn.ExecAsync($"ALTER TABLE public.audit_events OWNER TO {owner}", ct);
        await conn.ExecAsync($"ALTER FUNCTION public.audit_events_append_only() OWNER TO {owner}", ct);
        await conn.ExecAsync($"REVOKE ALL ON public.audit_events FROM {press}", ct);
        await conn.ExecAsync($"GRANT SELECT, INSERT ON public.audit_events TO {press}", ct);
        await conn.ExecAsync($"REVOKE ALL ON SEQUENCE public.audit_events_id_seq FROM {press}", ct);
        await conn.ExecAsync($"GRANT USAGE ON SEQUENCE public.audit_events_id_seq TO {press}", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Before the migrations run: on an installation already secured, Press cannot alter the table it no longer owns,
    /// so the superuser adds migration 0014's chain columns (the same two, nullable) and the migration finds them.
    /// A fresh installation has no table yet; the migration adds them as Press, before <see cref="SecureAsync"/>.
    /// </summary>
    internal static async Task AddChainColumnsAsync(NpgsqlConnectionStringBuilder superuser, string metadataDatabase, CancellationToken ct)
    {
        await using var conn = await Bootstrapper.Open(superuser, metadataDatabase, ct);
        await conn.ExecAsync("ALTER TABLE IF EXISTS public.audit_events ADD COLUMN IF NOT EXISTS prev_hash bytea, ADD COLUMN IF NOT EXISTS hash bytea", ct);
    }

    /// <summary>Whether the table is still Press's own (an installation upgraded without running bootstrap again).</summary>
    internal static async Task<bool> OwnedByAsync(NpgsqlConnection metadata, string pressRole, CancellationToken ct) =>
        await metadata.ScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = 'public.audit_events'::pg_catalog.regclass
                           AND pg_catalog.pg_get_userbyid(relowner) = @r)
            """, ct, ("r", pressRole));
}
