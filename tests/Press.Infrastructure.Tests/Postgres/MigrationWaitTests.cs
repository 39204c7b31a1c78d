using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Press.Infrastructure.Postgres;
using Press.Testing;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>Manager and worker migrate first thing: a PostgreSQL that does not answer yet is waited for, a wrong
/// password is not.</summary>
public sealed class MigrationWaitTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task A_server_that_refuses_connections_is_tried_again_until_the_caller_gives_up()
    {
        // Nothing listens on Ports.AlwaysClosed: every connection is refused, as while PostgreSQL starts.
        await using var sources = new PressDataSources(f.Db.OptionsWith(c => (c.Port, c.Timeout) = (Ports.AlwaysClosed, 2)));
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance).ApplyAsync(giveUp.Token));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"gave up after {clock.Elapsed.TotalSeconds:0.0} s instead of retrying: {error}");
        Assert.True(error is OperationCanceledException || giveUp.IsCancellationRequested, error.ToString());
    }

    [Fact]
    public async Task A_wrong_password_ends_it_at_once()
    {
        await using var sources = new PressDataSources(f.Db.OptionsWith(password: "not-the-password"));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<PostgresException>(() => new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None));

        Assert.Equal("28P01", error.SqlState);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
