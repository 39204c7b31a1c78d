namespace Press.Cli.Api;

/// <summary>GET /api/doctor: each check Ok, Failed (with its fix) or Skipped (and why).</summary>
public sealed record DoctorReport(DateTimeOffset At, bool Healthy, IReadOnlyList<DoctorCheck> Checks);

public sealed record DoctorCheck(string Name, string Outcome, string Detail, string? Fix);
