using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// State rules that many statements share, written once in SQL and built from Core's enums and rules (states are
/// stored by name), so that a state added or renamed in Core cannot leave one statement behind. <c>alias</c> is the
/// table alias the statement gives the row (none: the bare column).
/// </summary>
internal static class StateSql
{
    private static readonly string Finished = Names(Enum.GetValues<JobState>().Where(s => s.IsTerminal()));
    private static readonly string Unfinished = Names(Enum.GetValues<JobState>().Where(s => !s.IsTerminal()));

    /// <summary>A site that still exists: a purged site's row stays (its history and audit trail point at it), but it no
    /// longer holds its name, its runner port or its host names.</summary>
    public static string SiteNotPurged(string? alias = null) => $"{State(alias)} <> '{nameof(SiteState.Purged)}'";

    /// <summary>A job that has ended (<see cref="JobStates.IsTerminal"/>).</summary>
    public static string JobFinished(string? alias = null) => $"{State(alias)} IN ({Finished})";

    /// <summary>A job still to end: queued, running, or waiting for its next attempt. A site has at most one.</summary>
    public static string JobUnfinished(string? alias = null) => $"{State(alias)} IN ({Unfinished})";

    private static string State(string? alias) => alias is null ? "state" : $"{alias}.state";

    private static string Names(IEnumerable<JobState> states) => string.Join(", ", states.Select(s => $"'{s}'"));
}
