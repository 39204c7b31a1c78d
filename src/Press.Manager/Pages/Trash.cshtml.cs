using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages;

/// <summary>Soft-deleted sites with the days left before the purge; undelete (Core's UndeleteAsync, as the API).</summary>
public sealed class TrashModel(SiteQueries queries, ISiteRuntime runtime, ISettingsStore settings, SiteOperations operations, TimeProvider time) : PressPage
{
    public IReadOnlyList<SiteDto> Sites { get; private set; } = [];
    public long Total { get; private set; }
    public DateTimeOffset Now { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    protected override async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        Now = time.GetUtcNow();
        var hours = (await settings.GetAsync(ct)).BackupStaleAfterHours;
        var (items, total) = await queries.ListSitesAsync(SiteState.Deleted, 1, 500, ct);
        Sites = items.Select(v => SiteDto.From(v, runtime, hours, Now)).OrderBy(s => s.PurgeAfter).ToList();
        Total = total;
    }

    public static string DaysLeft(DateTimeOffset? purgeAfter, DateTimeOffset now) => purgeAfter is not { } at ? "—"
        : at <= now ? "purge due" : $"{Math.Ceiling((at - now).TotalDays):0} day(s)";

    public Task<IActionResult> OnPostUndeleteAsync(string name) => MutateAsync(Roles.Operator, async () =>
        ToJob(await operations.UndeleteAsync(name, Actor, HttpContext.RequestAborted), $"Undeleting {name}."), "/trash");
}
