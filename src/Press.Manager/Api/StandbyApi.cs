using Press.Core.Standby;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// <c>GET /api/standby</c> (admin): the standby pool (docs/architecture.md §17) — its target per app set, whether it is
/// kept and why not, ready/creating/broken counts per app set, and each standby. Admin only: standbys are Press's
/// own sites, not any customer's, and their names are kept out of every other view.
/// </summary>
public static class StandbyApi
{
    public sealed record AppSetDto(string Apps, int Target, int Ready, int Creating, int Broken);

    public sealed record StandbySiteDto(string Name, string Apps, string State, string PoolState, DateTimeOffset CreatedAt);

    public sealed record StandbyDto(int Target, bool Enabled, string? Reason, IReadOnlyList<AppSetDto> AppSets, IReadOnlyList<StandbySiteDto> Sites)
    {
        public static StandbyDto From(StandbyStatus s) => new(s.Target, s.Enabled, s.Reason,
            s.AppSets.Select(c => new AppSetDto(c.Apps.Key, s.Target, c.Ready, c.Creating, c.Broken)).ToList(),
            s.Sites.Select(x => new StandbySiteDto(x.Name, x.Apps.Key, x.State.ToString(), x.PoolState, x.CreatedAt)).ToList());
    }

    public static void MapStandbyApi(this IEndpointRouteBuilder api) =>
        api.MapGet("/standby", async (StandbyOperations standby, CancellationToken ct) => Results.Ok(StandbyDto.From(await standby.StatusAsync(ct))))
            .WithTags("Standby").RequireAuthorization(Policies.Admin).Produces<StandbyDto>()
            .WithSummary("The standby pool: target (setting standby.size) per app set (standby.appSets), ready, creating and broken standbys, and each standby site.");
}
