using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>One line per check — ✓ passed, ✗ failed, – does not apply — and under a failed one, how to fix it.</summary>
public static class DoctorView
{
    public static void Write(TextWriter o, DoctorReport report)
    {
        foreach (var c in report.Checks)
        {
            var mark = c.Outcome switch { "Ok" => "✓", "Failed" => "✗", _ => "–" };
            o.WriteLine($"{mark} {c.Name}: {c.Detail}");
            if (c.Outcome == "Failed" && c.Fix is not null) o.WriteLine($"    fix: {c.Fix}");
        }
        var failed = report.Checks.Count(c => c.Outcome == "Failed");
        o.WriteLine(failed == 0 ? "Press is healthy." : $"{failed} check(s) failed.");
    }
}
