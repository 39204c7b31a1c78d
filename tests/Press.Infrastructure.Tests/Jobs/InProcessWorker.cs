using Microsoft.Extensions.Configuration;
using Press.Core.Jobs;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;
using Press.Worker.Jobs;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// The worker's real job engine (JobWorker, JobRunner, JobStore, SiteStore, Redis wake-ups) in this process, with
/// the steps a test gives it, reaching PostgreSQL on <paramref name="postgresPort"/> — the server itself or a TCP
/// proxy in front of it that the test can cut.
/// </summary>
public sealed class InProcessWorker : IAsyncDisposable
{
    private readonly PressDataSources _sources;
    private readonly RedisJobSignals _signals;
    private bool _stopped;

    public JobWorker Worker { get; }
    public JobStore Jobs { get; }
    public string Name { get; }

    private InProcessWorker(string name, InfraFixture f, int postgresPort, IEnumerable<IJobStep> steps, TimeSpan lease, TestLog log)
    {
        Name = name;
        _sources = new PressDataSources(f.Db.OptionsWith(c => (c.Port, c.Timeout) = (postgresPort, 5)));
        var redis = f.Db.Configuration().GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        _signals = new RedisJobSignals(redis, log.For<RedisJobSignals>(name));
        var time = TimeProvider.System;
        Jobs = new JobStore(_sources, time);
        var options = new JobRunnerOptions { Lease = lease };
        var runner = new JobRunner(Jobs, new SiteStore(_sources, time), steps, _signals, [new PostgresFailureClassifier()], options, time,
            log.For<JobRunner>(name));
        var polls = new WorkerOptions { IdlePollInterval = TimeSpan.FromMilliseconds(200), FallbackPollInterval = TimeSpan.FromMilliseconds(200) };
        Worker = new JobWorker(Jobs, runner, _signals, polls, options, time, log.For<JobWorker>(name));
    }

    public static async Task<InProcessWorker> StartAsync(string name, InfraFixture f, int postgresPort, IEnumerable<IJobStep> steps,
        TimeSpan lease, TestLog log)
    {
        var worker = new InProcessWorker(name, f, postgresPort, steps, lease, log);
        await worker.Worker.StartAsync(CancellationToken.None);
        return worker;
    }

    /// <summary>Stops the worker as the host would at shutdown (its running jobs see the stopping token).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Worker.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Worker.Dispose();
        await _signals.DisposeAsync();
        await _sources.DisposeAsync();
    }
}
