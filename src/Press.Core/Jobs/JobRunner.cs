using Microsoft.Extensions.Logging;
using Press.Core.Ports;

namespace Press.Core.Jobs;

/// <summary>
/// Runs one claimed job: each step that has not succeeded, in order, recording status, timings and output. Every write
/// carries the claim's lease, so once the job was claimed again nothing of this run lands. The lease is renewed in the
/// background (<see cref="LeaseKeeper"/>); when it is lost, or cannot be renewed for a whole lease period, the running
/// step is cancelled and the run stops without writing anything more: the next claim resumes at that step.
/// </summary>
public sealed partial class JobRunner(
    IJobStore jobs,
    ISiteStore sites,
    IEnumerable<IJobStep> steps,
    IJobSignals signals,
    IEnumerable<IFailureClassifier> classifiers,
    JobRunnerOptions options,
    TimeProvider time,
    ILogger<JobRunner> logger,
    JobTelemetry? telemetry = null)
{
    private readonly JobTelemetry _telemetry = telemetry ?? JobTelemetry.Standalone();
    private readonly JobRunnerOptions _options = options.Validated();
    private readonly Dictionary<string, IJobStep> _steps = steps.ToDictionary(s => s.Name);
    private readonly IFailureClassifier[] _classifiers = classifiers.ToArray();

    public async Task RunAsync(ClaimedJob claim, CancellationToken stopping)
    {
        var (job, lease) = (claim.Job, claim.Lease);
        var recipe = Recipes.For(job.Kind);
        var keeper = new LeaseKeeper(jobs, lease, time, logger, stopping);
        var ct = keeper.Token;
        // Every line logged during the run — by any class — carries the job, its kind and its site (JSON logs, §13).
        using var scope = logger.BeginScope(JobTelemetry.JobScope(job));
        using var activity = JobTelemetry.Activities.StartActivity($"job {job.Kind}");
        activity?.SetTag("press.job.id", job.Id).SetTag("press.job.kind", job.Kind.ToString()).SetTag("press.site", job.SiteName);
        var startedAt = job.StartedAt ?? time.GetUtcNow();
        try
        {
            var unfinished = job.Steps.OrderBy(s => s.Ordinal)
                .Where(s => s.State is not (StepState.Succeeded or StepState.Skipped)).ToList();
            var giveUp = claim.AbandonedClaims >= _options.MaxAbandonedClaims && unfinished.Count > 0;
            // Commits are what a job's time goes to (issue 15): the start rides on the first step's started write and
            // the success on the last step's finished write, each pair one fenced transaction. Only a run that gives
            // up, or finds every step done (killed between its last step and its success), starts on its own.
            if (giveUp || unfinished.Count == 0)
            {
                await jobs.StartAsync(lease, recipe.WhileRunning, ct);
                await Publish(job.Id);
            }
            if (giveUp)
            {
                await GiveUpAsync(claim, recipe, unfinished[0], ct);
                JobEnded(job, JobState.Failed, startedAt, activity);
                return;
            }
            for (var i = 0; i < unfinished.Count; i++)
            {
                var outcome = await RunStepAsync(job, lease, recipe, unfinished[i], new StepPlace(First: i == 0, Last: i == unfinished.Count - 1), ct);
                if (outcome == StepState.Failed) JobEnded(job, JobState.Failed, startedAt, activity);
                if (outcome is not (StepState.Succeeded or StepState.Skipped)) return;
            }
            if (unfinished.Count == 0) await jobs.SucceedAsync(lease, recipe.OnSuccess, ct);
            LogJobSucceeded(job.Id, job.Kind, job.SiteName);
            JobEnded(job, JobState.Succeeded, startedAt, activity);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            LogLeaseLost(job.Id);
        }
        catch (LeaseLostException)
        {
            LogLeaseLost(job.Id);
        }
        finally
        {
            await keeper.DisposeAsync();
            await Publish(job.Id);
        }
    }

    private void JobEnded(Job job, JobState state, DateTimeOffset startedAt, System.Diagnostics.Activity? activity)
    {
        _telemetry.JobFinished(job.Kind, state, time.GetUtcNow() - startedAt);
        if (state == JobState.Failed) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
    }

    /// <summary>Where a step stands in this run: the first starts the job with it, the last ends it.</summary>
    private readonly record struct StepPlace(bool First, bool Last);

    /// <returns>The step's state when this run leaves it: Succeeded or Skipped to go on with the next step, Failed
    /// when the job failed, Pending when it waits (a retry, or a wait-until).</returns>
    private async Task<StepState> RunStepAsync(Job job, JobLease lease, JobRecipe recipe, JobStep step, StepPlace place, CancellationToken ct)
    {
        using var scope = logger.BeginScope(JobTelemetry.StepScope(step.Name));
        using var activity = JobTelemetry.Activities.StartActivity($"step {step.Name}");
        activity?.SetTag("press.job.id", job.Id).SetTag("press.step", step.Name).SetTag("press.site", job.SiteName);
        var started = time.GetTimestamp();
        var state = await RunStepCoreAsync(job, lease, recipe, step, place, ct);
        if (state is StepState.Succeeded or StepState.Skipped or StepState.Failed)
            _telemetry.StepFinished(job.Kind, step.Name, state, time.GetElapsedTime(started));
        if (state == StepState.Failed) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        return state;
    }

    private async Task<StepState> RunStepCoreAsync(Job job, JobLease lease, JobRecipe recipe, JobStep step, StepPlace place, CancellationToken ct)
    {
        Sites.Site site;
        if (place.First)
        {
            // The site is read after the start, which may have set the recipe's running state.
            await jobs.StartWithStepAsync(lease, recipe.WhileRunning, step.Ordinal, ct);
            site = await ReadSiteAsync(job, ct);
        }
        else
        {
            site = await ReadSiteAsync(job, ct);
            await jobs.StepStartedAsync(lease, step.Ordinal, ct);
        }
        await Publish(job.Id);
        var attempt = step.Attempts + 1;
        LogStepStarted(job.Id, step.Name, job.SiteName, attempt);

        var result = await ExecuteAsync(job, lease, step.Name, site, attempt, ct);
        if (_options.CrashTestPauseAfterStep == step.Name)
        {
            LogCrashTestPause(job.Id, step.Name);
            await Task.Delay(Timeout.Infinite, ct);
        }
        if (_options.FailureTestFailAfterStep == step.Name && result is not StepResult.Fail)
            result = StepResult.Permanent($"failure injected after step {step.Name} (Press:Jobs:FailureTestFailAfterStep)");

        switch (result)
        {
            case StepResult.Done done:
                await FinishedAsync(lease, recipe, step, place, StepState.Succeeded, done.Output, ct);
                return StepState.Succeeded;
            case StepResult.Skipped skipped:
                await FinishedAsync(lease, recipe, step, place, StepState.Skipped, skipped.Reason, ct);
                return StepState.Skipped;
            case StepResult.WaitUntil wait:
                await jobs.WaitAsync(lease, step.Ordinal, wait.When, wait.Output, null, ct);
                return StepState.Pending;
            case StepResult.Fail { Kind: FailureKind.Transient } fail when _options.Retry.CanRetry(attempt):
                var retryAt = time.GetUtcNow() + _options.Retry.DelayAfter(attempt);
                LogStepRetry(job.Id, step.Name, attempt, retryAt, fail.Error);
                await jobs.WaitAsync(lease, step.Ordinal, retryAt, null, fail.Error, ct);
                return StepState.Pending;
            case StepResult.Fail fail:
                LogStepFailed(job.Id, step.Name, job.SiteName, fail.Error);
                var error = fail.Error + await UndoAsync(job, lease, recipe, site, attempt, ct);
                await jobs.StepFinishedAsync(lease, step.Ordinal, StepState.Failed, null, error, ct);
                await jobs.FailAsync(lease, step.Name, error, recipe.FailureState(step.Name), ct);
                return StepState.Failed;
            default:
                throw new InvalidOperationException($"Unknown step result {result}.");
        }
    }

    /// <summary>A step that went well; the job's last one ends the job in the same write.</summary>
    private Task FinishedAsync(JobLease lease, JobRecipe recipe, JobStep step, StepPlace place, StepState state, string? output, CancellationToken ct) =>
        place.Last
            ? jobs.FinishLastStepAsync(lease, step.Ordinal, state, output, recipe.OnSuccess, ct)
            : jobs.StepFinishedAsync(lease, step.Ordinal, state, output, null, ct);

    /// <summary>
    /// Runs the recipe's undo steps (best effort, each idempotent) and says what they did, for the job's error. A kill
    /// during the undo leaves the job Running: the next worker runs the failed step again and, if it fails again,
    /// the undo too.
    /// </summary>
    private async Task<string> UndoAsync(Job job, JobLease lease, JobRecipe recipe, Sites.Site site, int attempt, CancellationToken ct)
    {
        if (recipe.Undo.Count == 0) return "";
        var said = new List<string>();
        foreach (var name in recipe.Undo)
        {
            var result = await ExecuteAsync(job, lease, name, site, attempt, ct);
            said.Add(result switch
            {
                StepResult.Done d => $"{name}: {d.Output}",
                StepResult.Skipped s => $"{name}: skipped ({s.Reason})",
                StepResult.Fail f => $"{name} FAILED: {f.Error} — the site may need an operator",
                _ => $"{name}: {result}",
            });
            LogUndo(job.Id, name, said[^1]);
        }
        return " — undone (" + string.Join("; ", said) + "); retrying runs the job from its first step";
    }

    private async Task<StepResult> ExecuteAsync(Job job, JobLease lease, string stepName, Sites.Site site, int attempt, CancellationToken ct)
    {
        if (!_steps.TryGetValue(stepName, out var implementation))
            return StepResult.Permanent($"No implementation of step '{stepName}' is registered in this worker.");
        try
        {
            return await implementation.RunAsync(new StepContext(job, site, attempt, lease), ct);
        }
        catch (StepFailedException ex)
        {
            return new StepResult.Fail(ex.Kind, ex.Message);
        }
        catch (Exception ex) when (ex is not LeaseLostException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            // A step's own timeout (an OperationCanceledException nobody asked for) is a failure like any other; a
            // database error a store raised through the step is retried when it may pass by itself.
            return new StepResult.Fail(FailureClassification.Classify(ex, _classifiers), $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The site as the step starts. A transient error (PostgreSQL restarting) is retried until the lease ends.</summary>
    private async Task<Sites.Site> ReadSiteAsync(Job job, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await sites.GetAsync(job.SiteId, ct)
                       ?? throw new InvalidOperationException($"Site {job.SiteId} of job {job.Id} is missing.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException
                                       && FailureClassification.Classify(ex, _classifiers) == FailureKind.Transient)
            {
                LogSiteReadRetry(job.Id, ex.Message);
                await Task.Delay(_options.Retry.DelayAfter(attempt), time, ct);
            }
        }
    }

    private async Task Publish(Guid jobId)
    {
        try { await signals.PublishProgressAsync(jobId, CancellationToken.None); }
        catch (Exception ex) { LogPublishFailed(jobId, ex.Message); }
    }

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: undo {Step}: {Outcome}")]
    private partial void LogUndo(Guid jobId, string step, string outcome);

    [LoggerMessage(LogLevel.Information, "Job {JobId}: step {Step} of {SiteName} started (attempt {Attempt})")]
    private partial void LogStepStarted(Guid jobId, string step, string siteName, int attempt);

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: step {Step} failed transiently on attempt {Attempt}; retrying at {RetryAt}: {Error}")]
    private partial void LogStepRetry(Guid jobId, string step, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(LogLevel.Error, "Job {JobId}: step {Step} of {SiteName} failed: {Error}")]
    private partial void LogStepFailed(Guid jobId, string step, string siteName, string error);

    [LoggerMessage(LogLevel.Information, "Job {JobId} ({Kind}) of {SiteName} succeeded")]
    private partial void LogJobSucceeded(Guid jobId, JobKind kind, string siteName);

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: lease lost; this run stopped without recording anything more")]
    private partial void LogLeaseLost(Guid jobId);

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: reading the site failed, retrying: {Error}")]
    private partial void LogSiteReadRetry(Guid jobId, string error);

    [LoggerMessage(LogLevel.Debug, "Job {JobId}: progress not published: {Error}")]
    private partial void LogPublishFailed(Guid jobId, string error);

    [LoggerMessage(LogLevel.Warning, "CRASH-TEST PAUSE: job {JobId} paused after the effect of step {Step}")]
    private partial void LogCrashTestPause(Guid jobId, string step);
}
