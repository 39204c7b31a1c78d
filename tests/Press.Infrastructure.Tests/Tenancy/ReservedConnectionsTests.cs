using Npgsql;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Secrets;
using Press.Testing;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// Tenants together may open every ordinary connection slot of the server (each site role may hold its connection
/// limit; many sites add up). Press must still get in to stop them: the server keeps <c>reserved_connections</c>
/// slots for roles with <c>pg_use_reserved_connections</c>, which bootstrap grants Press. Runs on the small server
/// (<see cref="TestServices.PostgresSmallSuperuser"/>): filling the main one would starve the tests beside it.
/// </summary>
public sealed class ReservedConnectionsTests : IAsyncLifetime
{
    private PressDatabase _db = null!;
    private readonly string _identifier = TenantIdentifier.NewId();

    public async Task InitializeAsync() => _db = await PressDatabase.CreateAsync(TestServices.PostgresSmallSuperuser);

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        // The site has no row in the metadata, so the installation's teardown does not know its role.
        await using var conn = await _db.OpenAsSuperuserAsync("postgres");
        await conn.ExecAsync($"DROP ROLE IF EXISTS \"{_identifier}\"");
    }

    [Fact]
    public async Task Press_suspends_a_site_whose_sessions_fill_every_ordinary_slot()
    {
        var ct = CancellationToken.None;
        var tenancy = new TenancyOptions { SitesDatabase = _db.SitesDatabase, ConnectionLimit = 500 };
        var secrets = new AesGcmSecretProtector(new SecretsOptions { Key = _db.SecretsKey });
        var identifier = _identifier;
        var site = new Core.Sites.Site(Guid.NewGuid(), "flood.example.com", Core.Sites.SiteState.Active,
            new TenantLocation(_db.SitesDatabase, identifier), identifier, secrets.Protect(SitePassword.New()), [],
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null);
        var password = secrets.Unprotect(site.EncryptedPassword);
        await using (var sources = new PressDataSources(_db.Options))
        {
            var tenant = new TenantDatabase(sources, _db.Options, tenancy);
            await tenant.EnsureRoleAsync(site, password, ct);
            await tenant.EnsureSchemaAsync(site, ct);
            await tenant.ConfigureRoleAsync(site, ct);
        }
        NpgsqlConnection.ClearAllPools();

        // The tenant opens sessions until the server refuses: every ordinary slot is now the tenant's.
        var flood = new List<NpgsqlConnection>();
        try
        {
            PostgresException? refused = null;
            while (refused is null && flood.Count < 1000)
            {
                var conn = _db.ConnectionAs(site.RoleName, password);
                try
                {
                    await conn.OpenAsync();
                    flood.Add(conn);
                }
                catch (PostgresException ex)
                {
                    refused = ex;
                    await conn.DisposeAsync();
                }
            }
            Assert.True(refused is { SqlState: "53300" }, $"expected the server to run out of ordinary slots, got {refused?.SqlState} {refused?.MessageText}");
            Assert.True(flood.Count > 0);

            // A Press that starts now (no pooled connection left over) still gets in, suspends the site and ends its sessions.
            await using var fresh = new PressDataSources(_db.Options);
            var press = new TenantDatabase(fresh, _db.Options, tenancy);
            Assert.Equal($"role {site.RoleName} set NOLOGIN", await press.SetLoginAsync(site, false, ct));
            Assert.Equal($"terminated {flood.Count} connection(s) of {site.RoleName}", await press.TerminateConnectionsAsync(site, ct));
            await using (var meta = await fresh.Metadata.OpenConnectionAsync(ct))
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM sites", meta))
                Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync(ct))!);
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
            {
                await using var cmd = new NpgsqlCommand("SELECT 1", flood[0]);
                await cmd.ExecuteScalarAsync(ct);
            });
        }
        finally
        {
            foreach (var conn in flood) await conn.DisposeAsync();
        }
    }
}
