using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Press.Infrastructure.Postgres;
using Press.Testing;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>docs/architecture.md §4: Press runs as a non-superuser with CREATEROLE; PUBLIC cannot CONNECT anywhere that matters.</summary>
public sealed class BootstrapperTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task Running_it_again_succeeds_and_leaves_Press_working()
    {
        var bootstrapper = new Bootstrapper(f.Db.Options, new MigrationRunner(f.Sources, NullLogger<MigrationRunner>.Instance), NullLogger<Bootstrapper>.Instance);
        await InfraFixture.OneAtATimeAsync(async () =>
        {
            await bootstrapper.RunAsync(TestServices.PostgresSuperuser, CancellationToken.None);
            await bootstrapper.RunAsync(TestServices.PostgresSuperuser, CancellationToken.None);
        });

        // The metadata survived (bootstrap does not recreate the databases) and Press still logs in with its password.
        Assert.Equal(0, await new MigrationRunner(f.Sources, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None));
        foreach (var db in new[] { f.Db.MetadataDatabase, f.Db.SitesDatabase })
        {
            await using var conn = f.ConnectAsPress(db);
            await conn.OpenAsync();
            Assert.Equal(f.Db.PressRole, await conn.ScalarAsync<string>("SELECT current_user::text"));
            Assert.Equal(f.Db.PressRole, await conn.ScalarAsync<string>(
                "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()"));
        }
    }

    [Fact]
    public async Task Press_role_is_not_superuser_and_has_CREATEROLE_and_CREATEDB()
    {
        var attributes = await f.SuperScalarInAsync<string>("postgres", """
            SELECT concat_ws(',', 'super=' || rolsuper::text, 'createrole=' || rolcreaterole::text,
                                  'createdb=' || rolcreatedb::text, 'login=' || rolcanlogin::text,
                                  'replication=' || rolreplication::text, 'bypassrls=' || rolbypassrls::text)
            FROM pg_roles WHERE rolname = @r
            """, ("r", f.Db.PressRole));
        Assert.Equal("super=false,createrole=true,createdb=true,login=true,replication=false,bypassrls=false", attributes);
    }

    [Fact]
    public async Task Press_role_may_set_temp_file_limit()
    {
        Assert.True(await f.SuperScalarInAsync<bool>("postgres",
            "SELECT has_parameter_privilege(@r, 'temp_file_limit', 'SET')", ("r", f.Db.PressRole)));
    }

    [Fact]
    public async Task Press_role_may_end_site_sessions_and_use_the_reserved_connection_slots()
    {
        foreach (var predefined in new[] { "pg_signal_backend", "pg_use_reserved_connections" })
            Assert.True(await f.SuperScalarInAsync<bool>("postgres", "SELECT pg_has_role(@r, @p, 'USAGE')", ("r", f.Db.PressRole), ("p", predefined)),
                $"{f.Db.PressRole} lacks {predefined}");
    }

    [Fact]
    public async Task An_installation_whose_audit_table_is_still_Press_s_gets_it_handed_over_by_the_next_bootstrap()
    {
        // As an installation from before the audit owner looks: everything Press's, as the migrations created it.
        await f.SuperExecAsync($"""
            ALTER SCHEMA public OWNER TO pg_database_owner;
            ALTER TABLE audit_events OWNER TO "{f.Db.PressRole}";
            ALTER FUNCTION audit_events_append_only() OWNER TO "{f.Db.PressRole}";
            """);
        const string owners = """
            SELECT pg_get_userbyid(c.relowner) || ',' || pg_get_userbyid(p.proowner) || ',' || pg_get_userbyid(n.nspowner)
            FROM pg_class c, pg_proc p, pg_namespace n
            WHERE c.relname = 'audit_events' AND c.relkind = 'r' AND p.proname = 'audit_events_append_only' AND n.nspname = 'public'
            """;
        Assert.Equal($"{f.Db.PressRole},{f.Db.PressRole},pg_database_owner", await f.SuperScalarAsync<string>(owners));

        await InfraFixture.OneAtATimeAsync(() => new Bootstrapper(f.Db.Options, new MigrationRunner(f.Sources, NullLogger<MigrationRunner>.Instance),
            NullLogger<Bootstrapper>.Instance).RunAsync(TestServices.PostgresSuperuser, CancellationToken.None));

        var audit = AuditTable.OwnerFor(f.Db.PressRole);
        Assert.Equal($"{audit},{audit},{audit}", await f.SuperScalarAsync<string>(owners));
        await using var conn = f.ConnectAsPress(f.Db.MetadataDatabase);
        await conn.OpenAsync();
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"));
        await conn.ExecAsync("INSERT INTO audit_events (at, actor, action) VALUES (now(), 'bootstrap-test', 'test.insert')");
    }

    [Fact]
    public async Task Without_a_password_for_Press_it_refuses_to_run()
    {
        var options = new PostgresOptions
        {
            ConnectionString = $"Host=127.0.0.1;Username=press_{Guid.NewGuid():N}",
            MetadataDatabase = f.Db.MetadataDatabase,
            SitesDatabase = f.Db.SitesDatabase,
        };
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new Bootstrapper(options, new MigrationRunner(f.Sources, NullLogger<MigrationRunner>.Instance), NullLogger<Bootstrapper>.Instance).RunAsync(TestServices.PostgresSuperuser, CancellationToken.None));
        Assert.Contains("Password", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Databases => new("metadata", "sites", "postgres");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task PUBLIC_has_no_CONNECT_so_a_fresh_role_cannot_connect(string which)
    {
        var database = which switch
        {
            "metadata" => f.Db.MetadataDatabase,
            "sites" => f.Db.SitesDatabase,
            _ => "postgres",
        };
        var role = "probe_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 12);
        var password = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789", 32);
        await f.SuperExecInAsync("postgres", $"CREATE ROLE {role} LOGIN PASSWORD '{password}'");
        try
        {
            Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege(@r, @d, 'CONNECT')", ("r", role), ("d", database)));
            Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege(@r, @d, 'TEMPORARY')", ("r", role), ("d", database)));
            await using var conn = f.Db.ConnectionAs(role, password, database);
            await PgAssert.FailsAsync("42501", () => conn.OpenAsync(), "permission denied for database");
        }
        finally
        {
            await f.SuperExecInAsync("postgres", $"DROP ROLE IF EXISTS {role}");
        }
    }

    [Theory]
    [InlineData("metadata")]
    [InlineData("sites")]
    public async Task PUBLIC_has_nothing_on_schema_public_of_Press_databases(string which)
    {
        var database = which == "metadata" ? f.Db.MetadataDatabase : f.Db.SitesDatabase;
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(database, """
            SELECT count(*) FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
            WHERE n.nspname = 'public' AND a.grantee = 0
            """));
        Assert.True(await f.SuperScalarInAsync<bool>(database,
            "SELECT has_schema_privilege(@r, 'public', 'CREATE')", ("r", f.Db.PressRole)));
    }

    [Fact]
    public async Task Running_it_again_re_hardens_the_site_databases_Press_created()
    {
        var second = f.Db.SitesDatabase + "_002";
        await new SiteDatabases(f.Sources).EnsureAsync(second, CancellationToken.None);
        await f.SuperExecAsync("INSERT INTO site_databases (name) VALUES (@n) ON CONFLICT DO NOTHING", ("n", second));
        // Someone opened the doors by hand since.
        await f.SuperExecInAsync("postgres", $"GRANT CONNECT, TEMPORARY ON DATABASE \"{second}\" TO PUBLIC");
        await f.SuperExecInAsync(second, "GRANT USAGE, CREATE ON SCHEMA public TO PUBLIC");

        await InfraFixture.OneAtATimeAsync(() => new Bootstrapper(f.Db.Options, new MigrationRunner(f.Sources, NullLogger<MigrationRunner>.Instance),
            NullLogger<Bootstrapper>.Instance).RunAsync(TestServices.PostgresSuperuser, CancellationToken.None));

        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege('public', @d, 'CONNECT')", ("d", second)));
        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege('public', @d, 'TEMPORARY')", ("d", second)));
        Assert.False(await f.SuperScalarInAsync<bool>(second, "SELECT has_schema_privilege('public', 'public', 'CREATE')"));
        Assert.True(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege(@r, @d, 'CONNECT')", ("r", f.Db.PressRole), ("d", second)));
    }
}
