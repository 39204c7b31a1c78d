using Press.Core.Sites;

namespace Press.Core.Runtime;

/// <summary>
/// How many sites one host can serve (docs/architecture.md §16): one runner port each (<see cref="RunnerPorts"/>,
/// 48600–49699), so 1,100; each site's own Redis comes with its runner, so it follows the same count. A site keeps its
/// port until it is purged, soft-deleted ones included, and a site being created will take one.
/// </summary>
public static class RunnerCapacity
{
    public const int Sites = RunnerPorts.Last - RunnerPorts.First + 1;

    /// <summary>Refuses, before any job is queued, an operation that would need one more runner port than the host has.</summary>
    /// <param name="served">Sites holding a runner port or about to take one (<see cref="Ports.ISiteStore.CountServedAsync"/>).</param>
    /// <exception cref="ConflictException">The host already serves <see cref="Sites"/> sites.</exception>
    public static void ThrowIfFull(int served, string operation)
    {
        if (served < Sites) return;
        throw new ConflictException(
            $"Cannot {operation}: this host already serves {served:N0} sites, the most it can — one runner port each in " +
            $"{RunnerPorts.First}–{RunnerPorts.Last} ({Sites:N0} ports; each site's Redis follows its runner). " +
            "Purge soft-deleted sites (they keep their port until purged) or create the site on another Press host.");
    }
}
