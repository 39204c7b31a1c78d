namespace Press.Core.Doctor;

/// <summary>
/// Runs every probe at once (each bounded by <see cref="ProbeTimeout"/>, so one dead dependency cannot hang the rest)
/// and returns the checks in <see cref="DoctorChecks.Order"/>. A check nobody probes is reported as failed: the
/// installation is missing part of its wiring, which is itself something to fix.
/// </summary>
public sealed class DoctorRunner(IEnumerable<IDoctorProbe> probes, TimeProvider time)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<DoctorReport> RunAsync(CancellationToken ct)
    {
        var byName = probes.ToDictionary(p => p.Name);
        var results = await Task.WhenAll(DoctorChecks.Order.Select(name => byName.TryGetValue(name, out var probe)
            ? RunOneAsync(probe, ct)
            : Task.FromResult(DoctorCheck.Fail(name, "no probe is registered for this check", "a Press bug: report it"))));
        return new DoctorReport(time.GetUtcNow(), results);
    }

    private async Task<DoctorCheck> RunOneAsync(IDoctorProbe probe, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            return await probe.RunAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return DoctorCheck.Fail(probe.Name, $"no answer within {ProbeTimeout.TotalSeconds:0} s",
                "the service behind this check does not answer: see that it runs and Press can reach it");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return DoctorCheck.Fail(probe.Name, $"{ex.GetType().Name}: {ex.Message}",
                "the service behind this check refused or failed: see its message");
        }
    }
}
