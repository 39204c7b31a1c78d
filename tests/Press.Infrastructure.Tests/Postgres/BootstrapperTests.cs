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
    public async Task Press_role_is_not_superuser_has_CREATEROLE_and_not_CREATEDB()
    {
        var attributes = await f.SuperScalarInAsync<string>("postgres", """
            SELECT concat_ws(',', 'super=' || rolsuper::text, 'createrole=' || rolcreaterole::text,
                                  'createdb=' || rolcreatedb::text, 'login=' || rolcanlogin::text,
                                  'replication=' || rolreplication::text, 'bypassrls=' || rolbypassrls::text)
            FROM pg_roles WHERE rolname = @r
            """, ("r", f.Db.PressRole));
        Assert.Equal("super=false,createrole=true,createdb=false,login=true,replication=false,bypassrls=false", attributes);
    }

    [Fact]
    public async Task Press_role_may_set_temp_file_limit()
    {
        Assert.True(await f.SuperScalarInAsync<bool>("postgres",
            "SELECT has_parameter_privilege(@r, 'temp_file_limit', 'SET')", ("r", f.Db.PressRole)));
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
}
