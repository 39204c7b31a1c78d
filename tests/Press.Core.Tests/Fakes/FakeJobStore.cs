using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

/// <summary>Records every write the runner makes; can be told to throw from a named method or to lose the lease.</summary>
public sealed class FakeJobStore : IJobStore
{
    public sealed record Started(SiteState? SiteState);
    public sealed record StepFinished(int Ordinal, StepState State, string? Output, string? Error);
    public sealed record Waited(int Ordinal, DateTimeOffset RunAfter, string? Output, string? Error);
    public sealed record Failed(string FailedStep, string Error, SiteState? SiteState);

    private readonly Lock _gate = new();

    /// <summary>Method names in call order, e.g. "StartAsync", "StepStartedAsync:1".</summary>
    public List<string> Calls { get; } = [];
    public Started? Start { get; private set; }
    public List<int> StepsStarted { get; } = [];
    public List<StepFinished> StepsFinished { get; } = [];
    public Waited? Wait { get; private set; }
    public SiteState? Succeeded { get; private set; }
    public Failed? Failure { get; private set; }
    private int _renewals;
    public int Renewals => Volatile.Read(ref _renewals);
    /// <summary>The lease each write carried, in call order.</summary>
    public List<JobLease> Leases { get; } = [];

    /// <summary>What RenewLeaseAsync answers (true keeps the lease), or throws when it returns an exception.</summary>
    public Func<int, bool> RenewLease { get; set; } = _ => true;
    public Func<int, Exception?> RenewThrows { get; set; } = _ => null;

    /// <summary>Return an exception to throw it from the named method ("StartAsync", "StepFinishedAsync", …).</summary>
    public Func<string, Exception?> ThrowFrom { get; set; } = _ => null;

    public Task<ClaimedJob?> ClaimNextAsync(string workerId, TimeSpan lease, IReadOnlyCollection<Guid> running, CancellationToken ct) =>
        throw new NotSupportedException("The runner never claims jobs.");

    public Task<bool> RenewLeaseAsync(JobLease lease, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _renewals);
        if (RenewThrows(n) is { } ex) throw ex;
        return Task.FromResult(RenewLease(n));
    }

    /// <summary>The job as a step that re-reads it (an undo) finds it; unset, reading is an error.</summary>
    public Job? Stored { get; set; }

    public Task<Job?> GetAsync(Guid jobId, CancellationToken ct) =>
        Stored is { } job ? Task.FromResult<Job?>(job) : throw new NotSupportedException("The runner never re-reads the job.");

    public Task StartAsync(JobLease lease, SiteState? siteState, CancellationToken ct)
    {
        Enter("StartAsync", lease, ct);
        Start = new Started(siteState);
        return Task.CompletedTask;
    }

    public Task StepStartedAsync(JobLease lease, int ordinal, CancellationToken ct)
    {
        Enter($"StepStartedAsync:{ordinal}", lease, ct);
        StepsStarted.Add(ordinal);
        return Task.CompletedTask;
    }

    public Task StepFinishedAsync(JobLease lease, int ordinal, StepState state, string? output, string? error, CancellationToken ct)
    {
        Enter($"StepFinishedAsync:{ordinal}", lease, ct);
        StepsFinished.Add(new StepFinished(ordinal, state, output, error));
        return Task.CompletedTask;
    }

    public Task WaitAsync(JobLease lease, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct)
    {
        Enter("WaitAsync", lease, ct);
        Wait = new Waited(ordinal, runAfter, output, error);
        return Task.CompletedTask;
    }

    public Task SucceedAsync(JobLease lease, SiteState? siteState, CancellationToken ct)
    {
        Enter("SucceedAsync", lease, ct);
        Succeeded = siteState;
        return Task.CompletedTask;
    }

    public Task FailAsync(JobLease lease, string failedStep, string error, SiteState? siteState, CancellationToken ct)
    {
        Enter("FailAsync", lease, ct);
        Failure = new Failed(failedStep, error, siteState);
        return Task.CompletedTask;
    }

    /// <summary>The folded writes (issue 15) in call order, e.g. "StartWithStepAsync:1"; each also records its two parts in <see cref="Calls"/>.</summary>
    public List<string> Folded { get; } = [];

    public async Task StartWithStepAsync(JobLease lease, SiteState? siteState, int ordinal, CancellationToken ct)
    {
        lock (_gate) Folded.Add($"StartWithStepAsync:{ordinal}");
        await StartAsync(lease, siteState, ct);
        await StepStartedAsync(lease, ordinal, ct);
    }

    public async Task FinishLastStepAsync(JobLease lease, int ordinal, StepState state, string? output, SiteState? siteState, CancellationToken ct)
    {
        lock (_gate) Folded.Add($"FinishLastStepAsync:{ordinal}");
        await StepFinishedAsync(lease, ordinal, state, output, null, ct);
        await SucceedAsync(lease, siteState, ct);
    }

    /// <summary>Like the real store: a cancelled token or a lost lease means nothing is written.</summary>
    private void Enter(string call, JobLease lease, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var method = call.Split(':')[0];
        if (ThrowFrom(method) is { } ex) throw ex;
        lock (_gate)
        {
            Calls.Add(call);
            Leases.Add(lease);
        }
    }

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
}
