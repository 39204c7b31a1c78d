using Press.Core.Jobs;

namespace Press.Infrastructure.Runtime.Files;

/// <summary>One change to the site folder, as data; each driver runs it its own way (paths relative to the site folder).</summary>
public abstract record FileOp
{
    /// <summary>Renames a folder. The destination's parent is created first; the destination does not exist.</summary>
    public sealed record Move(string From, string To) : FileOp;

    /// <summary>Creates an empty folder (and its parents).</summary>
    public sealed record CreateFolder(string Path) : FileOp;
}

/// <summary>Which of an area's three folders exist: live, staged and kept-previous.</summary>
public sealed record AreaState(bool Live, bool Staged, bool Previous);

/// <param name="Outcome">What the plan does or found, for the step's message ("public/files swapped").</param>
public sealed record AreaPlan(string Area, IReadOnlyList<FileOp> Ops, string Outcome);

/// <summary>
/// Swap and unswap of a restore's files, planned from what exists. Each area (public, private) moves on its own,
/// in two renames, and every state in between is recognised, so a run cut off at any point is finished by the next:
/// <code>
///   live=original, staged, no previous   →  before the swap (and after an unswap)
///   no live, staged, previous            →  half-way either way
///   live=restored, no staged, previous   →  swapped
/// </code>
/// A site without an area's live folder gets an empty kept-previous folder, so the three states stay the only ones.
/// </summary>
public static class FileSwap
{
    /// <summary>Every folder whose existence the plans need, three per area, in <see cref="States"/>'s order.</summary>
    public static IReadOnlyList<string> ProbePaths(string restoreId) =>
        RestoreLayout.Areas.SelectMany(a => new[]
            { RestoreLayout.Live(a), RestoreLayout.Staged(restoreId, a), RestoreLayout.Previous(restoreId, a) }).ToList();

    /// <param name="exists">One flag per path of <see cref="ProbePaths"/>.</param>
    public static IReadOnlyList<AreaState> States(IReadOnlyList<bool> exists) =>
        exists.Count != RestoreLayout.Areas.Count * 3
            ? throw new ArgumentException($"expected {RestoreLayout.Areas.Count * 3} flags, got {exists.Count}", nameof(exists))
            : RestoreLayout.Areas.Select((_, i) => new AreaState(exists[3 * i], exists[3 * i + 1], exists[3 * i + 2])).ToList();

    public static AreaPlan Swap(string restoreId, string area, AreaState s)
    {
        var (live, staged, previous) = (RestoreLayout.Live(area), RestoreLayout.Staged(restoreId, area), RestoreLayout.Previous(restoreId, area));
        return s switch
        {
            { Staged: true, Previous: false } => new AreaPlan(area,
                [s.Live ? new FileOp.Move(live, previous) : new FileOp.CreateFolder(previous), new FileOp.Move(staged, live)],
                $"{live} swapped"),
            { Staged: true, Previous: true, Live: false } => new AreaPlan(area, [new FileOp.Move(staged, live)], $"{live} swapped (finished an interrupted swap)"),
            { Staged: false, Previous: true, Live: true } => new AreaPlan(area, [], $"{live} already swapped"),
            { Staged: true, Previous: true, Live: true } => throw Inconsistent(restoreId, area, s),
            { Staged: false, Previous: true, Live: false } => throw Inconsistent(restoreId, area, s),
            _ => throw new StepFailedException(FailureKind.Permanent,
                $"restore {restoreId} has nothing staged for {live} ({staged} does not exist): stage the files first"),
        };
    }

    public static AreaPlan Unswap(string restoreId, string area, AreaState s)
    {
        var (live, staged, previous) = (RestoreLayout.Live(area), RestoreLayout.Staged(restoreId, area), RestoreLayout.Previous(restoreId, area));
        return s switch
        {
            { Previous: false } => new AreaPlan(area, [], $"{live} not swapped"),
            { Staged: false, Live: true } => new AreaPlan(area, [new FileOp.Move(live, staged), new FileOp.Move(previous, live)], $"{live} unswapped"),
            { Staged: true, Live: false } => new AreaPlan(area, [new FileOp.Move(previous, live)], $"{live} unswapped (finished an interrupted unswap)"),
            _ => throw Inconsistent(restoreId, area, s),
        };
    }

    /// <summary>
    /// Discarding a restore half-way through a swap would delete the only copy of the live files: refused, saying how
    /// to finish first.
    /// </summary>
    public static void EnsureDiscardable(string restoreId, string area, AreaState s)
    {
        if (!s.Live && (s.Staged || s.Previous))
            throw new StepFailedException(FailureKind.Permanent,
                $"restore {restoreId} is half-way through a swap of {RestoreLayout.Live(area)} (no live folder; staged: {YesNo(s.Staged)}, previous: {YesNo(s.Previous)}): " +
                "run the swap or the unswap again to finish it before discarding");
    }

    /// <summary>Every op of the plans, in order, and one line saying what they do.</summary>
    public static (IReadOnlyList<FileOp> Ops, string Summary) Combine(IReadOnlyList<AreaPlan> plans) =>
        (plans.SelectMany(p => p.Ops).ToList(), string.Join("; ", plans.Select(p => p.Outcome)));

    private static StepFailedException Inconsistent(string restoreId, string area, AreaState s) =>
        new(FailureKind.Permanent,
            $"restore {restoreId}: {RestoreLayout.Live(area)} is in no state a swap leaves (live: {YesNo(s.Live)}, staged: {YesNo(s.Staged)}, " +
            $"previous: {YesNo(s.Previous)}); something else changed the site folder — inspect {RestoreLayout.Folder(restoreId)} by hand");

    private static string YesNo(bool b) => b ? "yes" : "no";
}
