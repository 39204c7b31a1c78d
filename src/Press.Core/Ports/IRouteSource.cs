using Press.Core.Routing;

namespace Press.Core.Ports;

/// <summary>The sites as routing sees them, and a cheap stamp that changes whenever any of it does.</summary>
public interface IRouteSource
{
    /// <summary>Changes whenever a site's state, runner port or domains change; cheap enough to poll often.</summary>
    Task<string> StampAsync(CancellationToken ct);

    Task<IReadOnlyList<SiteRouting>> LoadAsync(CancellationToken ct);
}
