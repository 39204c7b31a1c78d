using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using SessionOptions = Press.Core.Identity.SessionOptions;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// Runtime settings (admin), each validated by the API's own rule (<see cref="SettingsApi.Problems"/>) with the message
/// next to its field; the login settings that live in configuration are shown read-only.
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class SettingsModel(SettingsStore store, IAuditLog audit, SessionOptions sessions) : PressPage
{
    /// <summary>What each key means, for its label.</summary>
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [PressSettings.BackupScheduleKey] = "Backup schedule (cron, UTC)",
        [PressSettings.BackupSpreadMinutesKey] = "Spread scheduled backups over (minutes)",
        [PressSettings.BackupRetentionDaysKey] = "Keep backups for (days)",
        [PressSettings.BackupStaleAfterHoursKey] = "Backups are stale after (hours)",
        [PressSettings.BackupVerifyEveryDaysKey] = "Verify the newest backup every (days)",
        [PressSettings.RestoreRollbackHoursKey] = "Restore rollback window (hours)",
        [PressSettings.SoftDeleteRetentionDaysKey] = "Soft-delete window before purge (days)",
        [PressSettings.RunnerMemoryMbKey] = "Default runner memory (MiB; empty: the driver's)",
        [PressSettings.RunnerCpusKey] = "Default runner CPUs (empty: the driver's)",
        [PressSettings.RunnerImageKey] = "Runner image (empty: the driver's)",
        [PressSettings.RunnerPidsLimitKey] = "Default runner process limit (empty: the driver's)",
        [PressSettings.RedisImageKey] = "Each site's Redis image (empty: the driver's)",
        [PressSettings.RedisMemoryMbKey] = "Each site's Redis memory (MiB; empty: the driver's)",
        [PressSettings.WorkerMemoryMbKey] = "Each background worker's memory (MiB; empty: the driver's)",
        [PressSettings.WorkerCpusKey] = "Each background worker's CPUs (empty: the driver's)",
        [PressSettings.SchedulerKey] = "Enable each new site's scheduler after install (on/off)",
        [PressSettings.TokenMaxLifetimeDaysKey] = "API token maximum lifetime (days)",
        [PressSettings.SsoForNewSitesKey] = "Single sign-on for new sites (on or off)",
        [PressSettings.SitesPerDatabaseKey] = "At most this many sites per site database",
    };

    /// <summary>Every runtime setting Core knows (<see cref="PressSettings.Validators"/>), described where a label exists.</summary>
    public static IEnumerable<(string Key, string Label)> All =>
        Labels.Select(l => (l.Key, l.Value)).Where(l => PressSettings.Validators.ContainsKey(l.Key))
            .Concat(PressSettings.Validators.Keys.Where(k => !Labels.ContainsKey(k)).Order().Select(k => (k, k)));

    /// <summary>A key whose default is "the driver's" may be left empty.</summary>
    public static bool Optional(string key) => PressSettings.DefaultValues.GetValueOrDefault(key, "") == "";

    public IReadOnlyDictionary<string, string> Stored { get; private set; } = new Dictionary<string, string>();
    public SessionOptions Sessions => sessions;
    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? Value { get; set; }

    public Task OnGetAsync() => LoadAsync();

    protected override async Task LoadAsync() => Stored = await store.ListAsync(HttpContext.RequestAborted);

    public string Current(string key) => Key == key && Value is not null ? Value : Stored.TryGetValue(key, out var v) ? v : PressSettings.DefaultValues.GetValueOrDefault(key, "");

    public Task<IActionResult> OnPostAsync() => MutateAsync(Roles.Admin, async () =>
    {
        var (key, value) = (Key ?? "", Value?.Trim() ?? "");
        foreach (var (field, problem) in SettingsApi.Problems(key, value)) Errors.AddAll(field == "value" ? key : "key", [problem]);
        if (Errors.Count > 0) return await PageWithProblemsAsync();
        await SettingsApi.SetAsync(key, value, Actor, store, audit, HttpContext.RequestAborted);
        Flash = $"{Labels.GetValueOrDefault(key, key)}: set to {value}.";
        return Redirect("/settings");
    });
}
