using Docker.DotNet.Models;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// Which Press-labelled containers a site owns — its runner, its Redis and its background processes — and so which
/// containers are strays. One rule for the worker's reconciler and for doctor, so a new kind of container is known to
/// both.
/// </summary>
public static class SiteContainers
{
    public static IEnumerable<string> Names(Site site) =>
        [RunnerContainer.Name(site), RedisContainer.Name(site), .. BackgroundContainer.Names(site)];

    /// <summary>Managed containers that no live site owns (a soft-deleted site owns none: its runner was removed),
    /// by name, in name order.</summary>
    public static List<string> Strays(IEnumerable<Site> liveSites, IEnumerable<ContainerListResponse> managed)
    {
        var owners = liveSites.Where(s => s.State is not SiteState.Deleted).SelectMany(Names).ToHashSet();
        return managed
            .Select(c => c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID)
            .Where(name => !owners.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
