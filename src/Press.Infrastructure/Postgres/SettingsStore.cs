using Press.Core.Ports;
using Press.Core.Settings;

namespace Press.Infrastructure.Postgres;

/// <summary>Runtime-editable settings; keys not in the table take <see cref="PressSettings.Defaults"/>.</summary>
public sealed class SettingsStore(PressDataSources sources, TimeProvider time) : ISettingsStore
{
    public async Task<PressSettings> GetAsync(CancellationToken ct)
    {
        var values = await ListAsync(ct);
        var defaults = PressSettings.Defaults;
        return new PressSettings(Int(values, PressSettings.SoftDeleteRetentionDaysKey) ?? defaults.SoftDeleteRetentionDays)
        {
            RunnerImage = values.GetValueOrDefault(PressSettings.RunnerImageKey),
            RunnerMemoryMb = Int(values, PressSettings.RunnerMemoryMbKey),
            RunnerCpus = values.TryGetValue(PressSettings.RunnerCpusKey, out var cpus)
                         && double.TryParse(cpus, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null,
            RunnerPidsLimit = Int(values, PressSettings.RunnerPidsLimitKey),
            WorkerMemoryMb = Int(values, PressSettings.WorkerMemoryMbKey),
            WorkerCpus = values.TryGetValue(PressSettings.WorkerCpusKey, out var workerCpus)
                         && double.TryParse(workerCpus, System.Globalization.CultureInfo.InvariantCulture, out var wc) ? wc : null,
            Scheduler = values.GetValueOrDefault(PressSettings.SchedulerKey) != "off",
            RedisImage = values.GetValueOrDefault(PressSettings.RedisImageKey),
            RedisMemoryMb = Int(values, PressSettings.RedisMemoryMbKey),
            BackupSchedule = values.GetValueOrDefault(PressSettings.BackupScheduleKey) ?? defaults.BackupSchedule,
            BackupSpreadMinutes = Int(values, PressSettings.BackupSpreadMinutesKey) ?? defaults.BackupSpreadMinutes,
            BackupRetentionDays = Int(values, PressSettings.BackupRetentionDaysKey) ?? defaults.BackupRetentionDays,
            RestoreRollbackHours = Int(values, PressSettings.RestoreRollbackHoursKey) ?? defaults.RestoreRollbackHours,
            BackupVerifyEveryDays = Int(values, PressSettings.BackupVerifyEveryDaysKey) ?? defaults.BackupVerifyEveryDays,
            BackupStaleAfterHours = Int(values, PressSettings.BackupStaleAfterHoursKey) ?? defaults.BackupStaleAfterHours,
            TokenMaxLifetimeDays = Int(values, PressSettings.TokenMaxLifetimeDaysKey) ?? defaults.TokenMaxLifetimeDays,
            SsoForNewSites = values.GetValueOrDefault(PressSettings.SsoForNewSitesKey) == "on",
            UsageSampleSeconds = Int(values, PressSettings.UsageSampleSecondsKey) ?? defaults.UsageSampleSeconds,
            UsageMetricsSites = Int(values, PressSettings.UsageMetricsSitesKey) ?? defaults.UsageMetricsSites,
            SitesPerDatabase = Int(values, PressSettings.SitesPerDatabaseKey) ?? defaults.SitesPerDatabase,
            StandbySize = Int(values, PressSettings.StandbySizeKey) ?? 0,
            StandbyAppSetsValue = values.GetValueOrDefault(PressSettings.StandbyAppSetsKey) ?? defaults.StandbyAppSetsValue,
        };
    }

    private static int? Int(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && int.TryParse(v, out var i) ? i : null;

    public async Task<IReadOnlyDictionary<string, string>> ListAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, "SELECT key, value FROM settings");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var values = new Dictionary<string, string>();
        while (await r.ReadAsync(ct)) values[r.GetString(0)] = r.GetString(1);
        return values;
    }

    public async Task SetAsync(string key, string value, string actor, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO settings (key, value, updated_at, updated_by) VALUES (@k, @v, @now, @by)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, ct, ("k", key), ("v", value), ("now", time.GetUtcNow()), ("by", actor));
    }
}
