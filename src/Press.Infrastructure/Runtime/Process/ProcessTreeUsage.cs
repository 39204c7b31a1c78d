using Press.Core.Usage;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// CPU time and memory of a site's processes from <c>/proc</c> (docs/architecture.md §15). Each runner and background
/// process is started detached in its own session, so it leads a process group holding everything it forked (gunicorn
/// or werkzeug children, RQ's work horses): every process of those groups is counted, read once from /proc.
/// </summary>
public static class ProcessTreeUsage
{
    /// <summary>Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture .NET runs on.</summary>
    public const double TicksPerSecond = 100;

    /// <param name="groups">The pids of the site's process-group leaders.</param>
    public static RunnerUsage Measure(IReadOnlyCollection<int> groups, string proc = "/proc")
    {
        if (groups.Count == 0) return RunnerUsage.Unmeasured("none of the site's processes is running");
        var (ticks, pages, seen) = (0L, 0L, 0);
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _) || Read(Path.Combine(dir, "stat")) is not { } stat) continue;
            if (Parse(stat) is not { } p || !groups.Contains(p.Group)) continue;
            (ticks, pages, seen) = (ticks + p.Ticks, pages + p.RssPages, seen + 1);
        }
        return seen == 0
            ? RunnerUsage.Unmeasured("none of the site's processes is running")
            : new RunnerUsage(ticks / TicksPerSecond, pages * Environment.SystemPageSize, null);
    }

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (which may hold spaces and parentheses, so
    /// it is cut at the last ')'): pgrp is field 5, utime 14, stime 15, rss (pages) 24.</summary>
    public static (int Group, long Ticks, long RssPages)? Parse(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0) return null;
        var f = stat[(end + 2)..].Split(' ');
        // f[0] is field 3 (state): field N is f[N - 3].
        if (f.Length < 22 || !int.TryParse(f[2], out var group) || !long.TryParse(f[11], out var user) || !long.TryParse(f[12], out var system)
            || !long.TryParse(f[21], out var rss)) return null;
        return (group, user + system, rss);
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; } // the process ended while /proc was read
        catch (UnauthorizedAccessException) { return null; }
    }
}
