using Npgsql;
using Press.Core.Jobs;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// A crashed worker's step runs again (docs/architecture.md §3): every TenantDatabase operation, run a second time, changes
/// nothing in the catalog and says it found the work already done.
/// </summary>
public sealed class TenancyIdempotencyTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Each operation with what must have run before it, so its first run really changes something.</summary>
    private static readonly Dictionary<string, (string[] Before, Func<InfraFixture, TestSite, Task<string>> Run)> Operations = new()
    {
        ["EnsureRole"] = ([], (f, s) => f.Tenant.EnsureRoleAsync(s.Site, s.Password, Ct)),
        ["EnsureSchema"] = (["EnsureRole"], (f, s) => f.Tenant.EnsureSchemaAsync(s.Site, Ct)),
        ["ConfigureRole"] = (["EnsureRole", "EnsureSchema"], (f, s) => f.Tenant.ConfigureRoleAsync(s.Site, Ct)),
        ["SetLogin(false)"] = (["EnsureRole", "EnsureSchema", "ConfigureRole"], (f, s) => f.Tenant.SetLoginAsync(s.Site, false, Ct)),
        ["SetLogin(true)"] = (["EnsureRole", "EnsureSchema", "ConfigureRole", "SetLogin(false)"], (f, s) => f.Tenant.SetLoginAsync(s.Site, true, Ct)),
        ["DropSchema"] = (["EnsureRole", "EnsureSchema", "ConfigureRole"], (f, s) => f.Tenant.DropSchemaAsync(s.Site, Ct)),
        ["DropRole"] = (["EnsureRole", "EnsureSchema", "ConfigureRole", "DropSchema"], (f, s) => f.Tenant.DropRoleAsync(s.Site, Ct)),
    };

    public static TheoryData<string> OperationNames => new(Operations.Keys);

    [Theory]
    [MemberData(nameof(OperationNames))]
    public async Task Second_run_leaves_the_catalog_unchanged_and_says_already(string operation)
    {
        var site = await f.CreateSiteRowAsync();
        var (before, run) = Operations[operation];
        foreach (var step in before) await Operations[step].Run(f, site);

        var initial = await CatalogSnapshot.TakeAsync(f, site);
        var first = await run(f, site);
        var afterFirst = await CatalogSnapshot.TakeAsync(f, site);
        var second = await run(f, site);
        var afterSecond = await CatalogSnapshot.TakeAsync(f, site);

        Assert.NotEqual(initial, afterFirst); // the first run did the work…
        Assert.DoesNotContain("already", first, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(afterFirst, afterSecond); // …the second changed nothing…
        Assert.Contains("already", second, StringComparison.OrdinalIgnoreCase); // …and says so.
    }

    [Fact]
    public async Task EnsureRole_run_again_keeps_the_password_working()
    {
        var site = await f.ProvisionSiteAsync();
        Assert.Contains("already existed", await f.Tenant.EnsureRoleAsync(site.Site, site.Password, Ct), StringComparison.Ordinal);
        await using var conn = await f.OpenAsSiteAsync(site);
        Assert.Equal(site.Schema, await conn.ScalarAsync<string>("SELECT current_schema()"));
    }

    [Fact]
    public async Task VerifyLogin_and_TerminateConnections_repeated_change_nothing()
    {
        var site = await f.ProvisionSiteAsync();
        var before = await CatalogSnapshot.TakeAsync(f, site);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"logged in as {site.Role}; search_path resolves to {site.Schema}",
                await f.Tenant.VerifyLoginAsync(site.Site, site.Password, Ct));
            await f.WaitForNoSessionsAsync(site.Role); // VerifyLogin's own session ends asynchronously on the server
            Assert.Equal($"terminated 0 connection(s) of {site.Role}", await f.Tenant.TerminateConnectionsAsync(site.Site, Ct));
        }
        Assert.Equal(before, await CatalogSnapshot.TakeAsync(f, site));
    }

    [Fact]
    public async Task DropSchema_and_DropRole_of_a_site_never_provisioned_say_already_gone()
    {
        var site = await f.CreateSiteRowAsync();
        Assert.Equal($"schema {site.Schema} already gone", await f.Tenant.DropSchemaAsync(site.Site, Ct));
        Assert.Equal($"role {site.Role} already gone", await f.Tenant.DropRoleAsync(site.Site, Ct));
    }

    [Fact]
    public async Task Purge_drops_the_schema_with_its_tables_and_then_the_role()
    {
        var site = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(site))
            await conn.ExecAsync("CREATE TABLE data (id int); INSERT INTO data VALUES (1)");
        // A purged site was soft-deleted first: its role is NOLOGIN by then.
        await f.Tenant.SetLoginAsync(site.Site, false, Ct);

        Assert.Equal($"dropped schema {site.Schema}", await f.Tenant.DropSchemaAsync(site.Site, Ct));
        Assert.Equal($"dropped role {site.Role}", await f.Tenant.DropRoleAsync(site.Site, Ct));

        Assert.False(await f.SuperScalarInAsync<bool>(f.Db.SitesDatabase,
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @s)", ("s", site.Schema)));
        Assert.False(await f.SuperScalarInAsync<bool>(f.Db.SitesDatabase,
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", ("r", site.Role)));
        Assert.DoesNotContain(site.Role, await f.SuperScalarInAsync<string>(f.Db.SitesDatabase,
            "SELECT datacl::text FROM pg_database WHERE datname = current_database()") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropRole_while_the_schema_still_exists_fails_permanently_and_keeps_the_role()
    {
        var site = await f.ProvisionSiteAsync();
        var ex = await Assert.ThrowsAsync<StepFailedException>(() => f.Tenant.DropRoleAsync(site.Site, Ct));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Contains("2BP01", ex.Message, StringComparison.Ordinal);
        // A failed step leaves the site as it was: still allowed to CONNECT, still able to log in.
        Assert.True(await f.SuperScalarInAsync<bool>(f.Db.SitesDatabase,
            "SELECT has_database_privilege(@r, current_database(), 'CONNECT')", ("r", site.Role)),
            "the failed DropRole left the role without CONNECT on the sites database");
        Assert.Contains("logged in", await f.Tenant.VerifyLoginAsync(site.Site, site.Password, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetLogin_false_makes_login_fail_and_true_restores_it()
    {
        var site = await f.ProvisionSiteAsync();

        await f.Tenant.SetLoginAsync(site.Site, false, Ct);
        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT rolcanlogin FROM pg_roles WHERE rolname = @r", ("r", site.Role)));
        await using (var refused = f.ConnectAsSite(site))
            await PgAssert.FailsAsync("28000", () => refused.OpenAsync(), "is not permitted to log in");

        await f.Tenant.SetLoginAsync(site.Site, true, Ct);
        Assert.True(await f.SuperScalarInAsync<bool>("postgres", "SELECT rolcanlogin FROM pg_roles WHERE rolname = @r", ("r", site.Role)));
        await using var allowed = await f.OpenAsSiteAsync(site);
        Assert.Equal(site.Schema, await allowed.ScalarAsync<string>("SELECT current_schema()"));
    }

    [Fact]
    public async Task TerminateConnections_ends_the_site_sessions_and_no_one_else_s()
    {
        var site = await f.ProvisionSiteAsync();
        var other = await f.ProvisionSiteAsync();
        await using var victim = await f.OpenAsSiteAsync(site);
        await using var bystander = await f.OpenAsSiteAsync(other);
        Assert.Equal(1, await victim.ScalarAsync<int>("SELECT 1"));

        Assert.Equal($"terminated 1 connection(s) of {site.Role}", await f.Tenant.TerminateConnectionsAsync(site.Site, Ct));

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => victim.ScalarAsync<int>("SELECT 1"));
        Assert.Equal(1, await bystander.ScalarAsync<int>("SELECT 1"));
    }

    [Fact]
    public async Task Suspend_sequence_disables_login_then_ends_the_open_session()
    {
        var site = await f.ProvisionSiteAsync();
        await using var open = await f.OpenAsSiteAsync(site);

        await f.Tenant.SetLoginAsync(site.Site, false, Ct);
        Assert.Equal(1, await open.ScalarAsync<int>("SELECT 1")); // NOLOGIN alone does not end sessions…
        Assert.Equal($"terminated 1 connection(s) of {site.Role}", await f.Tenant.TerminateConnectionsAsync(site.Site, Ct));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => open.ScalarAsync<int>("SELECT 1")); // …this does
        await using var again = f.ConnectAsSite(site);
        await PgAssert.FailsAsync("28000", () => again.OpenAsync());
    }

    [Fact]
    public async Task SetLogin_and_TerminateConnections_on_a_missing_role_fail_permanently()
    {
        var site = await f.CreateSiteRowAsync();
        foreach (var op in new Func<Task<string>>[]
                 {
                     () => f.Tenant.SetLoginAsync(site.Site, false, Ct),
                     () => f.Tenant.TerminateConnectionsAsync(site.Site, Ct),
                 })
        {
            var ex = await Assert.ThrowsAsync<StepFailedException>(op);
            Assert.Equal(FailureKind.Permanent, ex.Kind);
            Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EnsureSchema_refuses_a_schema_owned_by_another_role()
    {
        var owner = await f.ProvisionSiteAsync();
        var intruder = await f.ProvisionSiteAsync();
        var claim = intruder.Site with { Location = owner.Site.Location };

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => f.Tenant.EnsureSchemaAsync(claim, Ct));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Contains($"owned by {owner.Role}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(owner.Role, await f.SuperScalarInAsync<string>(f.Db.SitesDatabase,
            "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = @s", ("s", owner.Schema)));
    }

    [Fact]
    public async Task Identifiers_that_are_not_opaque_and_malformed_passwords_are_refused_before_any_SQL()
    {
        var site = await f.CreateSiteRowAsync();
        var hostile = site.Site with { RoleName = "evil\"; DROP DATABASE postgres; --" };
        await Assert.ThrowsAsync<ArgumentException>(() => f.Tenant.EnsureRoleAsync(hostile, site.Password, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => f.Tenant.EnsureRoleAsync(site.Site, "short'pw", Ct));
        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", ("r", site.Role)));
    }

    [Fact]
    public async Task Schemas_and_roles_are_named_by_the_opaque_identifier_never_the_site_name()
    {
        var label = "acme-confidential-" + Guid.NewGuid().ToString("N")[..8];
        var site = await f.ProvisionSiteAsync($"{label}.example.com");
        await using (var conn = await f.OpenAsSiteAsync(site))
            await conn.ExecAsync("CREATE TABLE customers (id int)");

        Assert.Matches("^t_[a-z2-7]{20}$", site.Role);
        Assert.Matches("^t_[a-z2-7]{20}$", site.Schema);

        // Every name in the world-readable catalog that a site role (or anyone) can list.
        var hits = await f.SuperScalarInAsync<long>(f.Db.SitesDatabase, """
            SELECT count(*) FROM (
                SELECT rolname::text AS n FROM pg_roles
                UNION ALL SELECT nspname::text FROM pg_namespace
                UNION ALL SELECT relname::text FROM pg_class
                UNION ALL SELECT datname::text FROM pg_database
                UNION ALL SELECT coalesce(array_to_string(setconfig, ','), '') FROM pg_db_role_setting
                UNION ALL SELECT coalesce(application_name, '') FROM pg_stat_activity
                UNION ALL SELECT description FROM pg_shdescription
                UNION ALL SELECT description FROM pg_description
                UNION ALL SELECT coalesce(nspacl::text, '') FROM pg_namespace
                UNION ALL SELECT coalesce(datacl::text, '') FROM pg_database
            ) names WHERE position(@needle IN n) > 0
            """, ("needle", label));
        Assert.Equal(0L, hits);
    }
}
