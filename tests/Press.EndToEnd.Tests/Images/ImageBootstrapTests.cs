using System.Security.Cryptography;
using Npgsql;
using Press.Infrastructure.Postgres;
using Press.Testing;

namespace Press.EndToEnd.Tests.Images;

/// <summary>
/// <c>press-manager bootstrap</c> from the image, as the press-bootstrap service of the compose files runs it: the
/// superuser connection string and Press's password as read-only secret files, a new role and pair of databases.
/// </summary>
public sealed class ImageBootstrapTests : IAsyncLifetime
{
    // Names as PressDatabase derives them, with a suffix of their own.
    private readonly string _suffix = "img" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8);
    private string Role => $"press_{_suffix}";
    private string MetadataDatabase => $"press_{_suffix}";
    private string SitesDatabase => $"press_sites_{_suffix}";
    private readonly string _password = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789", 32);
    private readonly string _container = "fcs-press-test-bootstrap-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
    private readonly SecretFolder _secrets = new();
    private bool _ran;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Bootstrap_from_the_manager_image_creates_a_non_superuser_role_with_createrole_and_both_databases()
    {
        _ = ImageTestServices.DockerHost; // fails here, with how to run the suite, when scripts/test did not set it
        var su = new NpgsqlConnectionStringBuilder(TestServices.PostgresSuperuser);
        var press = new NpgsqlConnectionStringBuilder { Host = su.Host, Port = su.Port, Username = Role, Database = MetadataDatabase };
        string[] args =
        [
            "run", "--rm", "--network", "host", "--name", _container, .. _secrets.MountArgs,
            "-e", $"Press__Postgres__ConnectionString={press.ConnectionString}",
            "-e", $"Press__Postgres__Password_FILE={_secrets.Add("press_postgres_password", _password)}",
            "-e", $"Press__Postgres__MetadataDatabase={MetadataDatabase}",
            "-e", $"Press__Postgres__SitesDatabase={SitesDatabase}",
            "-e", $"Press__Bootstrap__SuperuserConnectionString_FILE={_secrets.Add("postgres_superuser_connection", TestServices.PostgresSuperuser)}",
            ImageTestServices.ManagerImage, "bootstrap",
        ];

        _ran = true;
        var run = await DockerCli.RunAsync(args, TimeSpan.FromSeconds(60));
        Assert.True(run.Ok, $"bootstrap from the image failed\n{run.Describe()}");

        await using (var conn = await OpenSuperuserAsync("postgres"))
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = @r", conn);
            cmd.Parameters.AddWithValue("r", Role);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), $"role {Role} does not exist after bootstrap\n{run.Describe()}");
            Assert.False(r.GetBoolean(0), $"{Role} is a superuser");
            Assert.True(r.GetBoolean(1), $"{Role} lacks CREATEROLE");
            Assert.True(r.GetBoolean(2), $"{Role} lacks CREATEDB (it creates the next site database, docs/architecture.md §16)");
            Assert.True(r.GetBoolean(3), $"{Role} cannot log in");
        }
        await using (var conn = await OpenSuperuserAsync("postgres"))
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY(@d) ORDER BY datname", conn);
            cmd.Parameters.AddWithValue("d", new[] { MetadataDatabase, SitesDatabase });
            var owners = new Dictionary<string, string>();
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) owners[r.GetString(0)] = r.GetString(1);
            Assert.True(owners.GetValueOrDefault(MetadataDatabase) == Role && owners.GetValueOrDefault(SitesDatabase) == Role,
                $"databases after bootstrap (name → owner): {string.Join(", ", owners.Select(o => $"{o.Key} → {o.Value}"))}");
        }

        // The password came from the secret file, and bootstrap applied the metadata migrations.
        await using (var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(press.ConnectionString) { Password = _password, Pooling = false }.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT to_regclass('public.sites') IS NOT NULL AND to_regclass('public.jobs') IS NOT NULL", conn);
            Assert.True((bool)(await cmd.ExecuteScalarAsync())!, "the metadata migrations were not applied");
        }

        // Idempotent: compose runs it on every `up`.
        var again = await DockerCli.RunAsync(args, TimeSpan.FromSeconds(60));
        Assert.True(again.Ok, $"a second bootstrap from the image failed\n{again.Describe()}");
    }

    private static async Task<NpgsqlConnection> OpenSuperuserAsync(string database)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServices.PostgresSuperuser) { Database = database, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>Drops what bootstrap made, as PressDatabase does (under the bootstrapper's cluster lock).</summary>
    public async Task DisposeAsync()
    {
        try
        {
            if (!_ran) return;
            await DockerCli.RunAsync("rm", "-f", _container);
            await using var conn = await OpenSuperuserAsync("postgres");
            await Exec(conn, $"SELECT pg_advisory_lock({Bootstrapper.ClusterLockKey})");
            try
            {
                foreach (var db in new[] { SitesDatabase, MetadataDatabase })
                    await Exec(conn, $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
                await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", conn);
                exists.Parameters.AddWithValue("r", Role);
                if ((bool)(await exists.ExecuteScalarAsync())!)
                {
                    await Exec(conn, $"REVOKE SET ON PARAMETER temp_file_limit FROM \"{Role}\"");
                    await Exec(conn, $"DROP ROLE \"{Role}\"");
                }
                await Exec(conn, $"DROP ROLE IF EXISTS \"{AuditTable.OwnerFor(Role)}\"");
            }
            finally
            {
                await Exec(conn, $"SELECT pg_advisory_unlock({Bootstrapper.ClusterLockKey})");
            }
        }
        finally
        {
            _secrets.Dispose();
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
