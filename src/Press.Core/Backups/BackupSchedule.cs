using System.Security.Cryptography;
using Cronos;

namespace Press.Core.Backups;

/// <summary>
/// When a site's scheduled backup is due: the cron time (UTC) of the setting, shifted by a per-site offset inside the
/// spread window so hundreds of sites do not all start pg_dump at the same minute. The offset comes from the site's
/// id, so it is stable across restarts and workers.
/// </summary>
public static class BackupSchedule
{
    public static string? Problem(string expression)
    {
        try
        {
            CronExpression.Parse(expression, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException ex)
        {
            return $"must be a 5-field cron expression in UTC such as '0 2 * * *' (daily at 02:00): {ex.Message}";
        }
    }

    public static TimeSpan Offset(Guid siteId, int spreadMinutes)
    {
        if (spreadMinutes <= 0) return TimeSpan.Zero;
        var hash = SHA256.HashData(siteId.ToByteArray());
        var seconds = BitConverter.ToUInt32(hash, 0) % (uint)(spreadMinutes * 60);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The site's most recent due time at or before <paramref name="now"/> (its cron occurrence plus its offset), or
    /// null when the cron has not fired in the last 31 days.
    /// </summary>
    public static DateTimeOffset? LastDue(string expression, Guid siteId, int spreadMinutes, DateTimeOffset now)
    {
        var cron = CronExpression.Parse(expression, CronFormat.Standard);
        var shiftedNow = now - Offset(siteId, spreadMinutes);
        DateTime? last = null;
        foreach (var occurrence in cron.GetOccurrences(shiftedNow.UtcDateTime.AddDays(-31), shiftedNow.UtcDateTime, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true))
            last = occurrence;
        return last is { } l ? new DateTimeOffset(l, TimeSpan.Zero) + Offset(siteId, spreadMinutes) : null;
    }

    /// <summary>A scheduled backup is due when the site's last due time is after its last scheduled backup (and after
    /// the site was created: a site created at 01:59 is not backed up at 02:00 of the same cron tick twice).</summary>
    public static bool IsDue(string expression, Guid siteId, int spreadMinutes, DateTimeOffset now,
        DateTimeOffset siteCreatedAt, DateTimeOffset? lastScheduledAt)
    {
        if (LastDue(expression, siteId, spreadMinutes, now) is not { } due) return false;
        return due > (lastScheduledAt ?? DateTimeOffset.MinValue) && due > siteCreatedAt;
    }
}
