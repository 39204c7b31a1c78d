using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Infrastructure.Postgres;

/// <summary>Table site_sso: one row per site that has (or had) its own SSO client. Secrets arrive and leave sealed.</summary>
public sealed class SiteSsoStore(PressDataSources sources) : ISiteSsoStore
{
    private const string Columns =
        "site_id, provisioning, client_id, encrypted_secret, issuer_ref, encrypted_registration_token, state, frappe_configured, updated_at";

    public async Task<SiteSsoRecord?> GetAsync(Guid siteId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Columns} FROM site_sso WHERE site_id = @id", ("id", siteId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new SiteSsoRecord(r.GetGuid(0), r.GetString(1), r.GetString(2), (byte[])r[3], r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : (byte[])r[5], Enum.Parse<SiteSsoState>(r.GetString(6)), r.GetBoolean(7),
            r.GetFieldValue<DateTimeOffset>(8));
    }

    public async Task SaveAsync(SiteSsoRecord s, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync($"""
            INSERT INTO site_sso ({Columns}) VALUES (@site, @mode, @client, @secret, @ref, @token, @state, @configured, @at)
            ON CONFLICT (site_id) DO UPDATE SET provisioning = EXCLUDED.provisioning, client_id = EXCLUDED.client_id,
                encrypted_secret = EXCLUDED.encrypted_secret, issuer_ref = EXCLUDED.issuer_ref,
                encrypted_registration_token = EXCLUDED.encrypted_registration_token, state = EXCLUDED.state,
                frappe_configured = EXCLUDED.frappe_configured, updated_at = EXCLUDED.updated_at
            """, ct, ("site", s.SiteId), ("mode", s.Provisioning), ("client", s.ClientId), ("secret", s.EncryptedSecret),
            ("ref", s.IssuerRef), ("token", s.EncryptedRegistrationToken), ("state", s.State.ToString()),
            ("configured", s.FrappeConfigured), ("at", s.UpdatedAt));
    }
}
