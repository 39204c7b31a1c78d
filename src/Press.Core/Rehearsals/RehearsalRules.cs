using System.Security.Cryptography;
using Press.Core.Standby;

namespace Press.Core.Rehearsals;

/// <summary>The rules of rehearsals as pure functions (docs/architecture.md §20).</summary>
public static class RehearsalRules
{
    /// <summary>How much of migrate's output a rehearsal keeps: its end, where a traceback or the last patch is.</summary>
    public const int TailLines = 40;
    public const int TailChars = 4000;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>
    /// The scratch site's name: <c>rehearsal-</c> + 16 random base32 characters + <c>.invalid</c> — like a standby's
    /// (docs/architecture.md §17), a name no customer can ask for and no browser can reach, saying nothing of the site
    /// rehearsed. Its schema and role are as opaque as any site's.
    /// </summary>
    public static string NewScratchName() => "rehearsal-" + RandomNumberGenerator.GetString(Alphabet, 16) + "." + StandbyNames.Domain;

    public static bool IsScratchName(string name) => name.StartsWith("rehearsal-", StringComparison.Ordinal) && StandbyNames.IsReserved(name);

    /// <summary>The last <see cref="TailLines"/> lines of <paramref name="output"/>, at most <see cref="TailChars"/>
    /// characters, marked when cut.</summary>
    public static string Tail(string? output)
    {
        if (string.IsNullOrEmpty(output)) return "";
        var lines = output.TrimEnd().Split('\n');
        var kept = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - TailLines)));
        if (kept.Length > TailChars) kept = kept[^TailChars..];
        return kept.Length < output.TrimEnd().Length ? "…\n" + kept : kept;
    }

    /// <summary>A rehearsal that ended may not run again: its scratch was dropped and its answer recorded.</summary>
    public static string? WhyNotRun(Rehearsal? rehearsal, Guid jobId) => rehearsal switch
    {
        null => $"job {jobId} has no rehearsal record",
        { Outcome: not RehearsalOutcome.Running } r =>
            $"rehearsal {r.Id} of {r.SiteName} ended ({r.Outcome}) and its scratch site was dropped: start a new one (press site rehearse {r.SiteName} --image {r.Image})",
        _ => null,
    };
}
