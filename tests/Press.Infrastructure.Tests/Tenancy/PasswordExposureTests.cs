using Npgsql;
using Press.Core.Jobs;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// A site role's password reaches the server only as a SCRAM-SHA-256 verifier computed by Press: the statement text
/// that the server logs (every statement with <c>log_statement = all</c>, a failed one always) and shows in
/// <c>pg_stat_activity</c> holds no plaintext.
/// </summary>
public sealed class PasswordExposureTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Neither_the_server_log_nor_pg_stat_activity_ever_holds_a_site_password()
    {
        await f.SuperExecInAsync("postgres", $"ALTER ROLE \"{f.Db.PressRole}\" SET log_statement = 'all'");
        try
        {
            var (logFile, start) = await LogEndAsync();
            await using var sources = new PressDataSources(f.Db.Options); // fresh sessions: they pick up log_statement
            var tenant = new TenantDatabase(sources, f.Db.Options, f.Tenancy);

            // Created, then applied again, as a retried create-role step does.
            var site = await f.CreateSiteRowAsync();
            await tenant.EnsureRoleAsync(site.Site, site.Password, Ct);
            await tenant.EnsureRoleAsync(site.Site, site.Password, Ct);

            // A statement that fails is logged with its text whatever log_statement says.
            var failing = await f.CreateSiteRowAsync();
            var badLimits = new TenantDatabase(sources, f.Db.Options, new TenancyOptions { SitesDatabase = f.Db.SitesDatabase, ConnectionLimit = -7 });
            await Assert.ThrowsAsync<StepFailedException>(() => badLimits.EnsureRoleAsync(failing.Site, failing.Password, Ct));

            // While the statement waits on a lock, pg_stat_activity shows its text.
            string? seen;
            await using (var blocker = await f.Db.OpenAsSuperuserAsync("postgres"))
            {
                await using var tx = await blocker.BeginTransactionAsync();
                await new NpgsqlCommand($"ALTER ROLE \"{site.Role}\" CONNECTION LIMIT 9", blocker, tx).ExecuteNonQueryAsync();
                var waiting = tenant.EnsureRoleAsync(site.Site, site.Password, Ct);
                seen = await WaitingStatementAsync(site.Role);
                await tx.RollbackAsync();
                await waiting;
            }

            Assert.NotNull(seen);
            Assert.Contains("SCRAM-SHA-256$4096:", seen, StringComparison.Ordinal);
            Assert.DoesNotContain(site.Password, seen, StringComparison.Ordinal);

            var marker = "password-test-" + Guid.NewGuid().ToString("N");
            await using (var conn = await sources.Sites.OpenConnectionAsync(Ct))
            await using (var cmd = new NpgsqlCommand($"SELECT '{marker}'", conn))
                await cmd.ExecuteScalarAsync(Ct);
            var log = await ReadLogAsync(logFile, start, marker);
            Assert.Contains(site.Role, log, StringComparison.Ordinal);     // the log did record Press's statements…
            Assert.Contains(failing.Role, log, StringComparison.Ordinal);  // …and the failed one…
            Assert.Contains("SCRAM-SHA-256$4096:", log, StringComparison.Ordinal);
            Assert.DoesNotContain(site.Password, log, StringComparison.Ordinal); // …without a password in them.
            Assert.DoesNotContain(failing.Password, log, StringComparison.Ordinal);

            // The verifier is the real thing: the site logs in with its password.
            await tenant.EnsureSchemaAsync(site.Site, Ct);
            await tenant.ConfigureRoleAsync(site.Site, Ct);
            await using var login = f.ConnectAsSite(site);
            await login.OpenAsync();
            Assert.Equal(site.Role, await login.ScalarAsync<string>("SELECT current_user::text"));
        }
        finally
        {
            await f.SuperExecInAsync("postgres", $"ALTER ROLE \"{f.Db.PressRole}\" RESET log_statement");
        }
    }

    /// <summary>The server's current log file (relative to its data folder) and its size now.</summary>
    private async Task<(string File, long Size)> LogEndAsync()
    {
        var file = await f.SuperScalarInAsync<string>("postgres", "SELECT coalesce(pg_current_logfile(), 'postgres.log')") ?? "postgres.log";
        var size = await f.SuperScalarInAsync<long>("postgres", "SELECT size FROM pg_stat_file(@f)", ("f", file));
        return (file, size);
    }

    private async Task<string> ReadLogAsync(string file, long from, string marker)
    {
        // Log lines are written asynchronously to the file: wait until the last of ours is there.
        for (var i = 0; ; i++)
        {
            var size = await f.SuperScalarInAsync<long>("postgres", "SELECT size FROM pg_stat_file(@f)", ("f", file));
            var text = await f.SuperScalarInAsync<string>("postgres", "SELECT pg_read_file(@f, @o, @n)",
                ("f", file), ("o", from), ("n", size - from)) ?? "";
            if (text.Contains(marker, StringComparison.Ordinal) || i >= 50) return text;
            await Task.Delay(100);
        }
    }

    private async Task<string?> WaitingStatementAsync(string role)
    {
        for (var i = 0; i < 200; i++)
        {
            var query = await f.SuperScalarInAsync<string>("postgres", """
                SELECT query FROM pg_stat_activity
                WHERE usename = @p AND wait_event_type = 'Lock' AND query LIKE '%' || @r || '%' LIMIT 1
                """, ("p", f.Db.PressRole), ("r", role));
            if (query is not null) return query;
            await Task.Delay(50);
        }
        return null;
    }
}
