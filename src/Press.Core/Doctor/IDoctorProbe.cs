namespace Press.Core.Doctor;

/// <summary>
/// Gathers the facts of one check from an adapter and judges them with <see cref="DoctorRules"/>. A probe that throws
/// or takes longer than <see cref="DoctorRunner.ProbeTimeout"/> fails its check with what happened.
/// </summary>
public interface IDoctorProbe
{
    /// <summary>One of <see cref="DoctorChecks"/>.</summary>
    string Name { get; }

    Task<DoctorCheck> RunAsync(CancellationToken ct);
}
