namespace Press.EndToEnd.Tests.Harness;

/// <summary>Shared steps and checks of the crash tests.</summary>
public static class Crash
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Waits for the worker's <c>CRASH-TEST PAUSE</c> line for this job and step: the step's effect is done and its
    /// success not recorded yet.
    /// </summary>
    public static async Task<string> WaitForPauseAsync(PressProcess worker, Guid jobId, string step, Scene scene)
    {
        string? Line() => worker.Log.Find(l => l.Contains("CRASH-TEST PAUSE") && l.Contains(jobId.ToString())
                                              && l.TrimEnd().EndsWith($"step {step}", StringComparison.Ordinal));
        await Eventually.Until(() => Line() is not null || worker.Process.HasExited, JobTimeout,
            $"{worker.Name} to log CRASH-TEST PAUSE after step {step} of job {jobId}", scene.Describe);
        return Line() ?? throw new Xunit.Sdk.XunitException($"{worker.Name} exited before pausing.{scene.Describe()}");
    }

    /// <summary>Every step ran exactly once except the one the worker was killed in, which ran twice.</summary>
    public static void AssertResumedAt(JobView job, string killedStep, Func<string> diagnostics)
    {
        Assert.True(job.State == "Succeeded", $"expected the job to succeed: {job.Describe()}{diagnostics()}");
        foreach (var s in job.Steps)
        {
            Assert.True(s.State is "Succeeded" or "Skipped", $"step {s.Name} ended {s.State}: {job.Describe()}");
            var expected = s.Name == killedStep ? 2 : 1;
            Assert.True(s.Attempts == expected,
                $"step {s.Name}: expected {expected} attempt(s), got {s.Attempts}: {job.Describe()}{diagnostics()}");
        }
    }
}
