using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Press.Core.Routing;
using Press.Infrastructure.Ingress;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;
using Microsoft.Extensions.Configuration;
using Press.Infrastructure.Runtime;
using Press.Testing;

namespace Press.Infrastructure.Tests.Ingress;

/// <summary>The route table's change detection: the stamp the provider polls, and a reload that follows a change by itself (how fast: the proxy benchmark).</summary>
public sealed class RouteStampTests(PressDatabaseFixture f) : IClassFixture<PressDatabaseFixture>, IAsyncLifetime
{
    private readonly PressDataSources _sources = new(f.Db.Options);
    private RouteSource Source => new(_sources, new NoSiteRuntime());

    [Fact]
    public async Task A_change_committed_with_an_older_timestamp_than_another_site_still_moves_the_stamp()
    {
        // Jobs take their "now" before they commit, so commits can land out of timestamp order: site b's change
        // commits after site a's, with an earlier updated_at. max(updated_at) and the count stay the same.
        var t = DateTimeOffset.UtcNow;
        await InsertAsync("stamp-a.example.com", "Active", t);
        await InsertAsync("stamp-b.example.com", "Active", t.AddSeconds(-10));
        var before = await Source.StampAsync(CancellationToken.None);

        await UpdateAsync("stamp-b.example.com", "Deleted", t.AddSeconds(-5));

        Assert.NotEqual(before, await Source.StampAsync(CancellationToken.None));
        var table = RoutePlanner.Plan(await Source.LoadAsync(CancellationToken.None), "press.localhost");
        Assert.Equal(RouteTarget.NotFound, table.Find("stamp-b.example.com")?.Target);
    }

    [Fact]
    public async Task The_stamp_does_not_move_while_nothing_changes()
    {
        await InsertAsync("still.example.com", "Active", DateTimeOffset.UtcNow);
        var first = await Source.StampAsync(CancellationToken.None);
        Assert.Equal(first, await Source.StampAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_provider_routes_a_state_change_by_itself()
    {
        await InsertAsync("reload.example.com", "Active", DateTimeOffset.UtcNow);
        var provider = new RouteTableProvider(Source, new IngressOptions { RefreshInterval = TimeSpan.FromMilliseconds(250) },
            NullLogger<RouteTableProvider>.Instance);
        await provider.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => provider.Current.Find("reload.example.com") is { Target: RouteTarget.Maintenance }, TimeSpan.FromSeconds(5));

            await UpdateAsync("reload.example.com", "Deleted", DateTimeOffset.UtcNow);
            await Until(() => provider.Current.Find("reload.example.com") is { Target: RouteTarget.NotFound }, TimeSpan.FromSeconds(15));
        }
        finally
        {
            await provider.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_jobs_progress_message_on_Redis_reloads_the_table_without_waiting_for_the_poll()
    {
        await InsertAsync("pushed.example.com", "Active", DateTimeOffset.UtcNow);
        var redis = f.Db.Configuration().GetSection(RedisOptions.Section).Get<RedisOptions>()
            ?? throw new InvalidOperationException("no Press:Redis settings: start the test services (scripts/test-services up)");
        await using var signals = new RedisJobSignals(redis, NullLogger<RedisJobSignals>.Instance);
        // An hour's poll: only the message can bring the change in time.
        var provider = new RouteTableProvider(Source, new IngressOptions { RefreshInterval = TimeSpan.FromHours(1) },
            NullLogger<RouteTableProvider>.Instance, signals);
        await provider.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => provider.Current.Find("pushed.example.com") is { Target: RouteTarget.Maintenance }, TimeSpan.FromSeconds(5));

            await UpdateAsync("pushed.example.com", "Deleted", DateTimeOffset.UtcNow);
            await signals.PublishProgressAsync(Guid.NewGuid(), CancellationToken.None);

            await Until(() => provider.Current.Find("pushed.example.com") is { Target: RouteTarget.NotFound }, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await provider.StopAsync(CancellationToken.None);
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"not within {limit.TotalSeconds:0} s");
            await Task.Delay(10);
        }
    }

    private async Task InsertAsync(string name, string state, DateTimeOffset at)
    {
        await using var conn = await f.Db.OpenAsSuperuserAsync(f.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, created_at, updated_at)
            VALUES (gen_random_uuid(), @n, @s, @db, 't_' || md5(@n), 't_' || md5(@n), '\x00'::bytea, '{}', @t, @t)
            """, conn);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.AddWithValue("s", state);
        cmd.Parameters.AddWithValue("db", f.Db.SitesDatabase);
        cmd.Parameters.AddWithValue("t", at);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task UpdateAsync(string name, string state, DateTimeOffset at)
    {
        await using var conn = await f.Db.OpenAsSuperuserAsync(f.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("UPDATE sites SET state = @s, updated_at = @t WHERE name = @n", conn);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.AddWithValue("s", state);
        cmd.Parameters.AddWithValue("t", at);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sources.DisposeAsync();
}
