using System.Globalization;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Press.EndToEnd.Tests;

/// <summary>
/// A worker process whose PostgreSQL goes away (a TCP proxy between them is cut) for longer than its lease, in the
/// middle of a step: it stops the step before another worker can take the job over, the other worker finishes the job,
/// and nothing the cut-off worker still had in hand lands once PostgreSQL is back.
/// </summary>
public sealed class PostgresOutageTests(ManagerFixture stack, ITestOutputHelper output) : IClassFixture<ManagerFixture>
{
    [Fact]
    public async Task A_worker_cut_off_from_PostgreSQL_mid_step_stops_the_step_before_another_worker_takes_the_job_over()
    {
        await using var scene = new Scene(stack.Manager);
        const string site = "cut.outage.test";
        const string step = StepNames.ConfigureRole;
        var direct = new NpgsqlConnectionStringBuilder(stack.Db.Options.ConnectionString);
        await using var proxy = new FaultyTcpProxy(direct.Port);
        // Worker A reaches PostgreSQL through the proxy and holds the step open after its effect (its success not yet
        // recorded): the step is in progress when PostgreSQL goes away.
        var cutOffSettings = PressProcess.FastWorker(pauseAfterStep: step);
        cutOffSettings["Press:Postgres:ConnectionString"] = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = proxy.Port }.ConnectionString;
        var a = await scene.StartWorkerAsync(stack.Db, "worker-A(through the proxy)", cutOffSettings);
        var queued = await stack.Api.CreateSiteAsync(site);
        await Crash.WaitForPauseAsync(a, queued.Id, step, scene);

        proxy.CutAfter(0); // the next byte A sends (its lease renewal) takes PostgreSQL away from it
        await Eventually.Until(() => proxy.IsDown, Crash.JobTimeout, "worker A's next renewal to hit the cut", scene.Describe);
        var b = await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        var finished = job.Describe();
        proxy.Heal();
        await Task.Delay(TimeSpan.FromSeconds(3)); // A may write again now: nothing of its claim may land
        var after = await stack.Api.GetJobAsync(queued.Id);
        output.WriteLine(after.Describe() + scene.Describe());

        var stopped = At(a.Log.Find(l => l.Contains($"Job {queued.Id}: lease lost")));
        var resumed = At(b.Log.Find(l => l.Contains($"Job {queued.Id}: step {step}") && l.Contains("(attempt 2)")));
        Assert.True(stopped is not null, "worker A never stopped the step it could no longer hold" + scene.Describe());
        Assert.True(resumed is not null, "worker B never ran the step" + scene.Describe());
        Assert.True(stopped <= resumed, $"worker B started the step at {resumed:HH:mm:ss.fff} while A still held it until {stopped:HH:mm:ss.fff}" + scene.Describe());
        Crash.AssertResumedAt(after, step, scene.Describe);
        Assert.Equal(finished, after.Describe());
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);
    }

    /// <summary>The time of day a log line starts with (the harness's console format <c>HH:mm:ss.fff</c>).</summary>
    private static TimeOnly? At(string? line) =>
        line is not null && TimeOnly.TryParseExact(line.Trim()[..12], "HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t : null;
}
