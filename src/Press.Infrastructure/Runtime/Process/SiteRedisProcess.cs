using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// The process driver's per-site Redis: a daemonized redis-server with no TCP port (port 0), listening on a unix
/// socket in a folder of its own (mode 700), cache in database 0 and queue in database 1, append-only so queued jobs
/// survive a restart — the same shape as the Docker driver's sidecar. Configuration goes in a file, never argv.
/// This driver runs every site as the same OS user, so the folder's mode keeps sites apart from mistakes, not from
/// hostile code: that boundary is the Docker driver's.
/// </summary>
public sealed class SiteRedisProcess(ProcessRuntimeOptions options, string benchFolder)
{
    /// <summary>Unix socket paths longer than this do not fit in sockaddr_un.</summary>
    public const int MaxSocketPath = 107;

    public string Root => Path.GetFullPath(options.RedisFolder ?? Path.Combine(benchFolder, ".press-redis"));

    public string Folder(Site site) => Path.Combine(Root, site.Id.ToString("N"));
    public string Socket(Site site) => Path.Combine(Folder(site), "redis.sock");
    private string PidFile(Site site) => Path.Combine(Folder(site), "redis.pid");
    private string ConfigFile(Site site) => Path.Combine(Folder(site), "redis.conf");
    private string LogFile(Site site) => Path.Combine(Folder(site), "redis.log");

    /// <summary>redis.conf as data: every value Press chooses, nothing from outside but the paths.</summary>
    public static string Config(string folder, int memoryMb) => string.Join('\n',
        "port 0",
        $"unixsocket {Path.Combine(folder, "redis.sock")}",
        "unixsocketperm 700",
        $"dir {folder}",
        "daemonize yes",
        $"pidfile {Path.Combine(folder, "redis.pid")}",
        $"logfile {Path.Combine(folder, "redis.log")}",
        "databases 2",
        "appendonly yes",
        "appendfsync everysec",
        "save \"\"",
        $"maxmemory {memoryMb}mb",
        "maxmemory-policy noeviction",
        "");

    /// <summary>The socket path, checked: a path too long for a unix socket fails here with what to do.</summary>
    public string CheckedSocket(Site site)
    {
        var socket = Socket(site);
        if (socket.Length > MaxSocketPath)
            throw new StepFailedException(FailureKind.Permanent,
                $"the site's Redis socket {socket} is longer than {MaxSocketPath} bytes: set Press:Runtime:Process:RedisFolder to a shorter folder");
        return socket;
    }

    public async Task<string> StartAsync(Site site, CancellationToken ct)
    {
        var socket = CheckedSocket(site);
        if (RunningPid(site) is { } pid) return $"Redis already running (pid {pid}, {socket})";
        var folder = Folder(site);
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the process driver runs on Linux");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(ConfigFile(site), Config(folder, options.RedisMemoryMb), ct);
        var result = await CommandRunner.RunAsync([options.RedisServer, ConfigFile(site)], folder, null, TimeSpan.FromSeconds(20), ct);
        if (result.ExitCode != 0) throw new StepFailedException(FailureKind.Permanent, $"cannot start redis-server: {result.OutputTail}");
        for (var i = 0; i < 100 && !(RunningPid(site) is not null && File.Exists(socket)); i++) await Task.Delay(100, ct);
        return RunningPid(site) is { } started && File.Exists(socket)
            ? $"Redis running (pid {started}) on {socket}"
            : throw new StepFailedException(FailureKind.Transient, $"redis-server did not come up on {socket}: {Tail(LogFile(site))}");
    }

    public async Task<string> StopAsync(Site site, CancellationToken ct)
    {
        if (RunningPid(site) is not { } pid) return "Redis already stopped";
        // SIGTERM: Redis flushes its append-only file and removes the socket.
        await CommandRunner.RunAsync(["kill", "-TERM", pid.ToString()], Root, null, TimeSpan.FromSeconds(5), ct);
        for (var i = 0; i < 100 && RunningPid(site) is not null; i++) await Task.Delay(100, ct);
        if (RunningPid(site) is not null) await CommandRunner.RunAsync(["kill", "-KILL", pid.ToString()], Root, null, TimeSpan.FromSeconds(5), ct);
        return $"stopped Redis (pid {pid})";
    }

    public async Task<string> RemoveAsync(Site site, CancellationToken ct)
    {
        var stopped = await StopAsync(site, ct);
        if (!Directory.Exists(Folder(site))) return $"{stopped}; {Folder(site)} already gone";
        Directory.Delete(Folder(site), recursive: true);
        return $"{stopped}; removed its data ({Folder(site)})";
    }

    /// <summary>The pid in the pid file, if that process is alive and is a redis-server (pids are reused).</summary>
    private int? RunningPid(Site site)
    {
        try
        {
            if (!File.Exists(PidFile(site)) || !int.TryParse(File.ReadAllText(PidFile(site)).Trim(), out var pid)) return null;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return null;
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("redis-server", StringComparison.Ordinal) ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string Tail(string file) =>
        File.Exists(file) ? string.Join(" | ", File.ReadLines(file).TakeLast(5)) : "no log at " + file;
}
