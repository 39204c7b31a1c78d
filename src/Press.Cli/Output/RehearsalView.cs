using System.Globalization;
using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>An upgrade rehearsal's result, and a site's rehearsals as a table.</summary>
public static class RehearsalView
{
    public static void WriteResult(TextWriter output, Rehearsal r)
    {
        var mark = r.Passed ? "✓" : r.Outcome == "Running" ? "…" : "✗";
        var at = r.FailedStep is null ? "" : $" at step {r.FailedStep}";
        output.WriteLine($"{mark} rehearsal of {r.Site} on {r.Image}: {r.Outcome}{at}");
        output.WriteLine($"  migrate: {Migrate(r)}");
        output.WriteLine($"  backup {r.BackupId}; scratch site {r.ScratchSite} ({(r.ScratchState == "Purged" ? "dropped" : r.ScratchState)}); the live site was not touched");
        if (!string.IsNullOrWhiteSpace(r.MigrateOutput))
        {
            output.WriteLine("  migrate output (end):");
            output.WriteLine(Formats.Indent(r.MigrateOutput, 4));
        }
        output.WriteLine($"  rehearsal {r.Id}");
    }

    public static void WriteList(TextWriter output, IReadOnlyList<Rehearsal> rehearsals)
    {
        if (rehearsals.Count == 0)
        {
            output.WriteLine("No rehearsal yet: press site rehearse NAME --image IMAGE --wait");
            return;
        }
        var table = new Table("ID", "CREATED", "IMAGE", "OUTCOME", "FAILED STEP", "MIGRATE");
        foreach (var r in rehearsals)
            table.Add(r.Id.ToString(), Formats.ShortTime(r.CreatedAt), r.Image, r.Outcome, r.FailedStep, Migrate(r));
        table.Write(output);
    }

    private static string Migrate(Rehearsal r) => r.MigrateSeconds is { } s
        ? $"{(r.MigrateSucceeded == true ? "succeeded" : "failed")} in {s.ToString("0.0", CultureInfo.InvariantCulture)} s"
        : "did not run";
}
