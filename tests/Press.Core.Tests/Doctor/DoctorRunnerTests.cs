using Microsoft.Extensions.Time.Testing;
using Press.Core.Doctor;

namespace Press.Core.Tests.Doctor;

public sealed class DoctorRunnerTests
{
    private sealed class Probe(string name, Func<CancellationToken, Task<DoctorCheck>> run) : IDoctorProbe
    {
        public string Name => name;
        public Task<DoctorCheck> RunAsync(CancellationToken ct) => run(ct);
    }

    [Fact]
    public async Task Checks_come_in_order_and_a_throwing_or_missing_probe_fails_its_check_only()
    {
        var probes = DoctorChecks.Order.Where(n => n != DoctorChecks.Jobs).Select(n => n == DoctorChecks.Redis
            ? new Probe(n, _ => throw new InvalidOperationException("boom"))
            : new Probe(n, _ => Task.FromResult(DoctorCheck.Pass(n, "fine"))));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

        var report = await new DoctorRunner(probes, time).RunAsync(CancellationToken.None);

        Assert.Equal(DoctorChecks.Order, report.Checks.Select(c => c.Name));
        Assert.False(report.Healthy);
        Assert.Equal(time.GetUtcNow(), report.At);
        Assert.Equal([DoctorChecks.Redis, DoctorChecks.Jobs], report.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => c.Name));
        Assert.Equal("InvalidOperationException: boom", report.Checks.Single(c => c.Name == DoctorChecks.Redis).Detail);
        Assert.Equal("no probe is registered for this check", report.Checks.Single(c => c.Name == DoctorChecks.Jobs).Detail);
    }

    [Fact]
    public async Task A_probe_that_hangs_fails_after_the_timeout_while_the_others_answer()
    {
        var probes = DoctorChecks.Order.Select(n => n == DoctorChecks.ObjectStore
            ? new Probe(n, async ct => { await Task.Delay(Timeout.Infinite, ct); return DoctorCheck.Pass(n, "never"); })
            : new Probe(n, _ => Task.FromResult(DoctorCheck.Pass(n, "fine"))));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var report = await new DoctorRunner(probes, TimeProvider.System).RunAsync(CancellationToken.None);

        var hung = report.Checks.Single(c => c.Name == DoctorChecks.ObjectStore);
        Assert.Equal(CheckOutcome.Failed, hung.Outcome);
        Assert.Equal($"no answer within {DoctorRunner.ProbeTimeout.TotalSeconds:0} s", hung.Detail);
        Assert.Equal(DoctorChecks.Order.Count - 1, report.Checks.Count(c => c.Outcome == CheckOutcome.Ok));
        Assert.True(started.Elapsed < DoctorRunner.ProbeTimeout * 2);
    }
}
