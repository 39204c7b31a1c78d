using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages.Sites;

/// <summary>The site list: the same query and DTO as <c>GET /api/sites</c>, with counts per state, a state filter, a name search and pages.</summary>
public sealed class IndexModel(SiteQueries queries, ISiteRuntime runtime, ISettingsStore settings, TimeProvider time) : PressPage
{
    public const int PageSize = 25;
    public IReadOnlyList<SiteDto> Sites { get; private set; } = [];
    public IReadOnlyDictionary<string, long> Counts { get; private set; } = new Dictionary<string, long>();
    public long Total { get; private set; }
    public SiteState? State { get; private set; }
    public string? Query { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(string? state, string? q, int? p)
    {
        var ct = HttpContext.RequestAborted;
        if (!string.IsNullOrEmpty(state) && Enum.TryParse<SiteState>(state, true, out var s) && !int.TryParse(state, out _)) State = s;
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, SiteNameRules.MaxLength)];
        PageNumber = Math.Max(1, p ?? 1);
        Now = time.GetUtcNow();
        var (items, total) = await queries.ListSitesAsync(State, PageNumber, PageSize, ct, Query);
        var hours = (await settings.GetAsync(ct)).BackupStaleAfterHours;
        Sites = items.Select(v => SiteDto.From(v, runtime, hours, Now)).ToList();
        Total = total;
        Counts = await queries.CountSitesByStateAsync(ct);
    }

    public string Link(int page) =>
        $"/sites?{(State is { } s ? $"state={s}&" : "")}{(Query is { } q ? $"q={Uri.EscapeDataString(q)}&" : "")}p={page}";
}
