namespace Press.Core.Doctor;

/// <summary>Ok (✓), Failed (✗, with a fix), or Skipped (–: does not apply to this installation, and why).</summary>
public enum CheckOutcome { Ok, Failed, Skipped }

/// <summary>One check of <c>press doctor</c>: what was found and, when it failed, how to fix it.</summary>
public sealed record DoctorCheck(string Name, CheckOutcome Outcome, string Detail, string? Fix = null)
{
    public static DoctorCheck Pass(string name, string detail) => new(name, CheckOutcome.Ok, detail);
    public static DoctorCheck Fail(string name, string detail, string fix) => new(name, CheckOutcome.Failed, detail, fix);
    public static DoctorCheck Skip(string name, string why) => new(name, CheckOutcome.Skipped, why);
}

/// <summary>Every check in <see cref="DoctorChecks.Order"/>; healthy when none failed.</summary>
public sealed record DoctorReport(DateTimeOffset At, IReadOnlyList<DoctorCheck> Checks)
{
    public bool Healthy => Checks.All(c => c.Outcome != CheckOutcome.Failed);
}
