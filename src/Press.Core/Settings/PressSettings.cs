namespace Press.Core.Settings;

/// <summary>Runtime-editable settings (table <c>settings</c>), with the defaults used when a key is not set.</summary>
public sealed record PressSettings(int SoftDeleteRetentionDays)
{
    public const string SoftDeleteRetentionDaysKey = "sites.softDeleteRetentionDays";
    public const string RunnerImageKey = "runtime.image";
    public const string RunnerMemoryMbKey = "runtime.memoryMb";
    public const string RunnerCpusKey = "runtime.cpus";
    public const string RunnerPidsLimitKey = "runtime.pidsLimit";
    public const string RedisImageKey = "runtime.redisImage";
    public const string RedisMemoryMbKey = "runtime.redisMemoryMb";
    public const string WorkerMemoryMbKey = "runtime.workerMemoryMb";
    public const string WorkerCpusKey = "runtime.workerCpus";
    public const string SchedulerKey = "runtime.scheduler";
    public const string BackupScheduleKey = "backups.schedule";
    public const string BackupSpreadMinutesKey = "backups.spreadMinutes";
    public const string BackupRetentionDaysKey = "backups.retentionDays";
    public const string RestoreRollbackHoursKey = "backups.rollbackHours";
    public const string BackupVerifyEveryDaysKey = "backups.verifyEveryDays";
    public const string BackupStaleAfterHoursKey = "backups.staleAfterHours";
    public const string TokenMaxLifetimeDaysKey = "tokens.maxLifetimeDays";
    public const string SsoForNewSitesKey = "sso.newSites";
    public const string UsageSampleSecondsKey = "usage.sampleSeconds";
    public const string UsageMetricsSitesKey = "usage.metricsSites";

    /// <summary>How often the worker samples every site's usage (docs/architecture.md §15).</summary>
    public int UsageSampleSeconds { get; init; } = 60;

    /// <summary>How many sites get per-site usage series in /metrics (the largest by each measure): the cap on their
    /// cardinality, whatever the fleet's size (docs/architecture.md §15).</summary>
    public int UsageMetricsSites { get; init; } = 20;
    public const string SitesPerDatabaseKey = "tenancy.sitesPerDatabase";
    public const string StandbySizeKey = "standby.size";
    public const string StandbyAppSetsKey = "standby.appSets";

    /// <summary>New sites get their own SSO client and Social Login Key (docs/architecture.md §7); "on" or "off".</summary>
    public bool SsoForNewSites { get; init; }

    /// <summary>When daily backups start: a 5-field cron expression in UTC.</summary>
    public string BackupSchedule { get; init; } = "0 2 * * *";

    /// <summary>Sites start their scheduled backup spread over this many minutes after the cron time (by site id), so
    /// they do not all dump at once.</summary>
    public int BackupSpreadMinutes { get; init; } = 120;

    public int BackupRetentionDays { get; init; } = 30;

    /// <summary>How long an in-place restore keeps the previous schema and files for a rollback.</summary>
    public int RestoreRollbackHours { get; init; } = 24;

    /// <summary>Every site's newest good backup is restored into a scratch schema and checked this often.</summary>
    public int BackupVerifyEveryDays { get; init; } = 7;

    /// <summary>A site whose newest good backup is older than this shows as stale (API, /metrics, /readyz).</summary>
    public int BackupStaleAfterHours { get; init; } = 26;

    /// <summary>The longest an API token may live; a token minted without an expiry gets this one (Identity/TokenRules).</summary>
    public int TokenMaxLifetimeDays { get; init; } = 90;

    /// <summary>Runner image for new runners; null = the driver's configured default.</summary>
    public string? RunnerImage { get; init; }

    /// <summary>Default plan limits for runners; null = the driver's configured defaults.</summary>
    public int? RunnerMemoryMb { get; init; }
    public double? RunnerCpus { get; init; }
    public int? RunnerPidsLimit { get; init; }

    /// <summary>Image and memory cap of each site's own Redis; null = the driver's configured defaults.</summary>
    public string? RedisImage { get; init; }
    public int? RedisMemoryMb { get; init; }

    /// <summary>Limits of each worker and scheduler process; null = the driver's configured defaults.</summary>
    public int? WorkerMemoryMb { get; init; }
    public double? WorkerCpus { get; init; }

    /// <summary>Whether a new site's scheduler is enabled after install (Frappe starts new sites with it off,
    /// docs/frappe.md §7). Off: the enable-scheduler step is Skipped and scheduled jobs never run.</summary>
    public bool Scheduler { get; init; } = true;

    /// <summary>
    /// At most this many sites per site database (docs/architecture.md §16). pg_dump reads its database's whole catalog,
    /// ~29 ms per other ERPNext-sized site (docs/benchmarks.md): at 12 one site's backup in a full database costs ~1.1×
    /// its cost in a database of 10, however many sites the host has.
    /// </summary>
    public int SitesPerDatabase { get; init; } = 12;
    /// How many installed standby sites the pool keeps per app set (docs/architecture.md §17). 0 (the default) keeps
    /// none: every standby holds a schema, a role, a runner port and a running runtime (web server, workers, scheduler,
    /// socket.io, Redis) for a site nobody uses yet, which only an operator who wants new sites in seconds should pay for.
    /// </summary>
    public int StandbySize { get; init; }

    /// <summary>The setting <c>standby.appSets</c> as stored (a string, so settings compare by value).</summary>
    public string StandbyAppSetsValue { get; init; } = "frappe";

    /// <summary>The app sets the pool keeps standbys of (<see cref="Standby.AppSet.ParseList"/>).</summary>
    public IReadOnlyList<Standby.AppSet> StandbyAppSets => Standby.AppSet.ParseList(StandbyAppSetsValue);

    public static PressSettings Defaults { get; } = new(SoftDeleteRetentionDays: 30);

    public TimeSpan SoftDeleteRetention => TimeSpan.FromDays(SoftDeleteRetentionDays);

    /// <summary>The value every key has when the table does not set it ("" = the driver's configured default).</summary>
    public static IReadOnlyDictionary<string, string> DefaultValues { get; } = new Dictionary<string, string>
    {
        [SoftDeleteRetentionDaysKey] = Defaults.SoftDeleteRetentionDays.ToString(),
        [RunnerImageKey] = "",
        [RunnerMemoryMbKey] = "",
        [RunnerCpusKey] = "",
        [RunnerPidsLimitKey] = "",
        [RedisImageKey] = "",
        [RedisMemoryMbKey] = "",
        [WorkerMemoryMbKey] = "",
        [WorkerCpusKey] = "",
        [SchedulerKey] = "on",
        [BackupScheduleKey] = Defaults.BackupSchedule,
        [BackupSpreadMinutesKey] = Defaults.BackupSpreadMinutes.ToString(),
        [BackupRetentionDaysKey] = Defaults.BackupRetentionDays.ToString(),
        [RestoreRollbackHoursKey] = Defaults.RestoreRollbackHours.ToString(),
        [BackupVerifyEveryDaysKey] = Defaults.BackupVerifyEveryDays.ToString(),
        [BackupStaleAfterHoursKey] = Defaults.BackupStaleAfterHours.ToString(),
        [TokenMaxLifetimeDaysKey] = Defaults.TokenMaxLifetimeDays.ToString(),
        [SsoForNewSitesKey] = "off",
        [UsageSampleSecondsKey] = Defaults.UsageSampleSeconds.ToString(),
        [UsageMetricsSitesKey] = Defaults.UsageMetricsSites.ToString(),
        [SitesPerDatabaseKey] = Defaults.SitesPerDatabase.ToString(),
        [StandbySizeKey] = "0",
        [StandbyAppSetsKey] = "frappe",
    };

    private static bool ImageReference(string v) =>
        v.Length is > 0 and <= 255 && v.All(c => char.IsAsciiLetterOrDigit(c) || "._-/:@".Contains(c));

    private static Func<string, string?> WholeNumber(int min, int max, string unit) => v =>
        int.TryParse(v, out var n) && n >= min && n <= max ? null : $"must be a whole number of {unit} between {min} and {max}";

    private static string? Cpus(string v) =>
        double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var cpus) && cpus is >= 0.1 and <= 256
            ? null
            : "must be a number of CPUs between 0.1 and 256, e.g. 1.5";

    /// <summary>Each known key with how to validate it; unknown keys are refused.</summary>
    public static IReadOnlyDictionary<string, Func<string, string?>> Validators { get; } =
        new Dictionary<string, Func<string, string?>>
        {
            [SoftDeleteRetentionDaysKey] = WholeNumber(1, 3650, "days"),
            [RunnerImageKey] = v => ImageReference(v) ? null : "must be an image reference such as 'frappe/erpnext:v16.1.0'",
            [RedisImageKey] = v => ImageReference(v) ? null : "must be an image reference such as 'redis:7.4'",
            [RunnerPidsLimitKey] = WholeNumber(64, 32768, "processes"),
            [RedisMemoryMbKey] = WholeNumber(16, 65536, "MiB"),
            [RunnerMemoryMbKey] = WholeNumber(256, 262144, "MiB"),
            [BackupScheduleKey] = v => Backups.BackupSchedule.Problem(v),
            [BackupSpreadMinutesKey] = WholeNumber(0, 1380, "minutes"),
            [BackupRetentionDaysKey] = WholeNumber(1, 3650, "days"),
            [RestoreRollbackHoursKey] = WholeNumber(1, 720, "hours"),
            [BackupVerifyEveryDaysKey] = WholeNumber(1, 365, "days"),
            [BackupStaleAfterHoursKey] = WholeNumber(1, 8760, "hours"),
            [TokenMaxLifetimeDaysKey] = WholeNumber(1, 3650, "days"),
            [SsoForNewSitesKey] = v => v is "on" or "off" ? null : "must be 'on' (new sites get single sign-on) or 'off'",
            [WorkerMemoryMbKey] = WholeNumber(128, 262144, "MiB"),
            [WorkerCpusKey] = Cpus,
            [SchedulerKey] = v => v is "on" or "off" ? null : "must be 'on' (enable each new site's scheduler after install) or 'off'",
            [StandbySizeKey] = WholeNumber(0, 50, "sites per app set"),
            [StandbyAppSetsKey] = Standby.AppSet.Problem,
            [RunnerCpusKey] = v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var cpus) && cpus is >= 0.1 and <= 256
                ? null
                : "must be a number of CPUs between 0.1 and 256, e.g. 1.5",
            [UsageSampleSecondsKey] = WholeNumber(10, 86400, "seconds"),
            [UsageMetricsSitesKey] = WholeNumber(0, 1000, "sites"),
            [SitesPerDatabaseKey] = WholeNumber(1, 1000, "sites"),
        };
}
