using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Infrastructure.Bench;
using Press.Infrastructure.Runtime.Background;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// The process driver, for Frappe developers with a local bench: bench runs in the configured bench folder on this
/// host and each site's runner is a detached <c>bench serve --port P --noreload</c> with its pid and log in the site
/// folder, beside the site's own redis-server (<see cref="SiteRedisProcess"/>) and its workers and scheduler
/// (<see cref="BackgroundProcesses"/>, detached the same way, each with its own pid and log file). Bench and the runner get a clean environment
/// (none of Press's settings) and no terminal, so Frappe's password prompt reads the stdin Press gives it.
/// </summary>
public sealed class ProcessSiteRuntime(ProcessRuntimeOptions options, RuntimeEndpoints endpoints, FrappePing ping) : ISiteRuntime
{
    private readonly string _bench = Path.GetFullPath(options.BenchFolder
        ?? throw new InvalidOperationException("Press:Runtime:Process:BenchFolder must name a bench folder for the process driver."));

    private SiteRedisProcess Redis => new(options, _bench);

    public string Driver => "process";

    private string SiteFolder(Site site) => Path.Combine(_bench, "sites", site.Name);
    private string PidFile(Site site, string role = Runner) => Path.Combine(SiteFolder(site), $".press-{role}.pid");
    private string LogFile(Site site, string role = Runner) => Path.Combine(SiteFolder(site), "logs", $"press-{role}.log");
    private const string Runner = "runner";
    private string ConfigFile(Site site) => Path.Combine(SiteFolder(site), "site_config.json");

    public async Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(SiteFolder(site), "logs"));
        var path = ConfigFile(site);
        var onDisk = File.Exists(path) ? SiteConfig.Parse(await File.ReadAllTextAsync(path, ct), path) : null;
        var kept = secrets.KeptConfig is { } k ? SiteConfig.Parse(k, "the site's kept config") : null;
        var merged = SiteConfig.Merge(SiteConfig.Build(site, secrets.DatabasePassword, endpoints.DatabaseHost,
            endpoints.DatabasePort, Redis.CheckedSocket(site), endpoints.SiteUrl(site.Name)), onDisk, kept);
        var json = SiteConfig.Serialize(merged);
        // Write-then-rename, readable by the owner only: the file holds the site's database password.
        var temp = path + ".tmp";
        File.Delete(temp);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // never readable by others, not even briefly
        await using (var file = new StreamWriter(temp, new System.Text.UTF8Encoding(false), create)) await file.WriteAsync(json.AsMemory(), ct);
        File.Move(temp, path, overwrite: true);
        return RuntimeOutcome.Done($"wrote {path}: {SiteConfig.DescribeWrite(merged, onDisk, kept)}");
    }

    public async Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct) =>
        File.Exists(ConfigFile(site))
            ? SiteConfig.OwnKeys(SiteConfig.Parse(await File.ReadAllTextAsync(ConfigFile(site), ct), ConfigFile(site))).ToJsonString()
            : null;

    public async Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct)
    {
        var command = BenchCommands.Version();
        var result = await CommandRunner.RunAsync([options.BenchExecutable, .. command.Argv.Skip(1)], _bench, BenchCommands.Environment,
            TimeSpan.FromMinutes(1), ct, cleanEnvironment: true);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.OutputTail}");
        return BenchCommands.ParseVersions(result.OutputTail);
    }

    /// <summary>One bench serves every site of this driver: its path, and its frappe version as <c>bench version</c> says.</summary>
    public async Task<RunnerImage?> RunnerImageAsync(Site site, CancellationToken ct) =>
        new(options.BenchExecutable, (await AppVersionsAsync(site, ct)).TryGetValue("frappe", out var version) ? $"frappe {version}" : null);

    public async Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct)
    {
        var redis = await Redis.StartAsync(site, ct);
        var port = site.RunnerPort ?? throw new StepFailedException(FailureKind.Permanent, "no runner port allocated");
        var socket = Redis.CheckedSocket(site);
        // The runner and the background processes need only the site's Redis: they start side by side.
        var started = await Task.WhenAll([
            StartDetachedAsync(site, Runner, BenchCommands.Serve(port), new Dictionary<string, string>(), ct),
            .. BackgroundProcesses.All.Select(p => StartDetachedAsync(site, p.Role, p.Command, p.EnvironmentFor(socket, SocketIoSocket(site.Name)), ct))]);
        return RuntimeOutcome.Done(string.Join("; ", [redis, .. started]));
    }

    private async Task<string> StartDetachedAsync(Site site, string role, BenchCommand command, IReadOnlyDictionary<string, string> environment,
        CancellationToken ct)
    {
        if (RunningPid(site, role) is { } pid) return $"{role} already running (pid {pid})";
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile(site, role))!);
        File.Delete(PidFile(site, role)); // a dead process's, so the wait below sees the new one's
        // setsid -f detaches the process from the worker (it must outlive a worker restart); the tiny sh records the
        // pid and redirects output. Values travel as arguments and environment, never spliced into the script.
        var env = new Dictionary<string, string>(environment) { ["PRESS_PIDFILE"] = PidFile(site, role), ["PRESS_LOGFILE"] = LogFile(site, role) };
        var result = await CommandRunner.RunAsync(
            ["setsid", "-f", "sh", "-c", "echo $$ > \"$PRESS_PIDFILE\"; exec \"$@\" >>\"$PRESS_LOGFILE\" 2>&1 </dev/null",
                "sh", command.Argv[0] == "node" ? options.NodeExecutable : options.BenchExecutable, .. command.Argv.Skip(1)],
            _bench, env, TimeSpan.FromSeconds(10), ct, cleanEnvironment: true);
        if (result.ExitCode != 0) throw new StepFailedException(FailureKind.Permanent, $"cannot start {command.Display}: {result.OutputTail}");
        // The pid file is written before the command runs (sh, then exec). Whether it stays up is wait-healthy's to
        // judge: a runner that dies (its port taken, a broken bench) fails it at once with its log lines, and a dead
        // worker or scheduler makes the site unhealthy.
        for (var i = 0; i < 50 && !File.Exists(PidFile(site, role)); i++) await Task.Delay(100, ct);
        return File.Exists(PidFile(site, role))
            ? $"started {command.Display} (pid {File.ReadAllText(PidFile(site, role)).Trim()}), log {LogFile(site, role)}"
            : throw new StepFailedException(FailureKind.Transient, $"{command.Display} wrote no pid file in 5 s: {LogTail(site, role)}");
    }

    /// <summary>Runs new-site; the install step has made sure the schema is empty (docs/architecture.md §9).</summary>
    public Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct) =>
        RunBenchAsync(BenchCommands.NewSite(site.Name, site.Apps), ct, BenchCommands.AdminPasswordPrompt(secrets.AdminPassword));

    /// <summary>bench serve answers pong and every worker and the scheduler run; a dead bench serve is
    /// <see cref="HealthProbe.Exited"/> (waiting cannot help).</summary>
    public async Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct)
    {
        var port = site.RunnerPort ?? throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no runner port allocated");
        if (RunningPid(site) is null)
            return HealthProbe.RunnerExited($"bench serve --port {port} of {site.Name} is not running (log {LogFile(site)})");
        var web = await ping.ProbeAsync(site.Name, port, ct);
        var stopped = BackgroundProcesses.All.Where(p => RunningPid(site, p.Role) is null)
            .Select(p => $"{p.Command.Display} ({LogTail(site, p.Role)})").ToList();
        return stopped.Count == 0 ? web : new HealthProbe(true, false, $"{web.Detail}; not running: {string.Join(", ", stopped)}");
    }

    /// <summary>The workers, scheduler and socket.io (side by side), the runner, then its Redis (queued jobs stay in
    /// its append-only file).</summary>
    public async Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct)
    {
        var done = (await Task.WhenAll(BackgroundProcesses.All.Select(p => StopDetachedAsync(site, p.Role, ct)))).ToList();
        done.Add(await StopDetachedAsync(site, Runner, ct));
        return RuntimeOutcome.Done($"{string.Join("; ", done)}; {await Redis.StopAsync(site, ct)}");
    }

    public async Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct) => RuntimeOutcome.Done(await Redis.RemoveAsync(site, ct));

    private async Task<string> StopDetachedAsync(Site site, string role, CancellationToken ct)
    {
        if (RunningPid(site, role) is not { } pid) return $"{role} already stopped";
        // Each process leads its own session: signal the whole group (bench serve and workers have children).
        await CommandRunner.RunAsync(["kill", "-TERM", "--", $"-{pid}"], _bench, null, TimeSpan.FromSeconds(5), ct);
        for (var i = 0; i < 100 && Alive(pid); i++) await Task.Delay(100, ct);
        if (Alive(pid)) await CommandRunner.RunAsync(["kill", "-KILL", "--", $"-{pid}"], _bench, null, TimeSpan.FromSeconds(5), ct);
        File.Delete(PidFile(site, role));
        return $"stopped {role} (pid {pid})";
    }

    public async Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct) =>
        RuntimeOutcome.Done((await StopAsync(site, ct)).Message + "; site files kept in " + SiteFolder(site));

    public async Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct)
    {
        await StopAsync(site, ct);
        if (!Directory.Exists(SiteFolder(site))) return RuntimeOutcome.Done("site folder already gone");
        Directory.Delete(SiteFolder(site), recursive: true);
        return RuntimeOutcome.Done($"removed {SiteFolder(site)}");
    }

    public bool CanRename => true;

    /// <summary>
    /// Stops the standby's processes, drops its Redis data (cache keyed by the old site, queued jobs naming it;
    /// docs/frappe.md §8) and moves its site folder to the new name in one rename(2), so a crash leaves it under one name
    /// or the other.
    /// </summary>
    public async Task<RuntimeOutcome> RenameAsync(Site site, string fromName, CancellationToken ct)
    {
        var from = site with { Name = fromName };
        var (old, now) = (SiteFolder(from), SiteFolder(site));
        if (!Directory.Exists(old))
            return Directory.Exists(now) ? RuntimeOutcome.Done($"already renamed: {now}")
                : throw new StepFailedException(FailureKind.Permanent, $"neither {old} nor {now} exists: the standby's site folder is gone");
        if (Directory.Exists(now))
            throw new StepFailedException(FailureKind.Permanent, $"both {old} and {now} exist: a site folder of the new name was left behind; remove it and retry");
        var stopped = await StopAsync(from, ct);
        var redis = await Redis.RemoveAsync(site, ct); // the folder is the site's id, the same before and after
        Directory.Move(old, now);
        return RuntimeOutcome.Done($"{stopped.Message}; {redis}; moved {old} to {now}");
    }

    public Task<RuntimeOutcome> SetAdminPasswordAsync(Site site, string adminPassword, CancellationToken ct) =>
        RunBenchAsync(BenchCommands.SetAdminPassword(site.Name), ct, BenchCommands.AdminPasswordLine(adminPassword));

    public async Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) =>
        File.Exists(LogFile(site)) ? (await File.ReadAllLinesAsync(LogFile(site), ct)).TakeLast(tail).ToList() : [];

    /// <summary>Beside the sites' Redis folders, named by a short hash of the site's name (unix socket paths hold 107 bytes).</summary>
    private string SocketIoSocket(string siteName) => Path.Combine(Redis.Root, $"io-{BackgroundProcesses.SocketIoKey(siteName)}.sock");

    public Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct) => Task.FromResult<string?>(SocketIoSocket(siteName));

    /// <summary>The process groups of the runner and its background processes, from /proc (docs/architecture.md §15).</summary>
    public Task<Press.Core.Usage.RunnerUsage> MeasureRunnerAsync(Site site, CancellationToken ct) =>
        Task.FromResult(ProcessTreeUsage.Measure(new[] { Runner }.Concat(BackgroundProcesses.All.Select(p => p.Role))
            .Select(role => RunningPid(site, role)).OfType<int>().ToHashSet()));

    public Task<Press.Core.Usage.FilesUsage> MeasureFilesAsync(Site site, CancellationToken ct) =>
        Task.FromResult(Files.FolderSize.Measure(SiteFolder(site)));

    public RuntimeStatus Describe(Site site) => new(Driver, site.RunnerPort is not null,
        site.RunnerPort is { } p ? $"bench serve on port {p} in {_bench}, with its workers and scheduler" : "no runner yet");

    private int? RunningPid(Site site, string role = Runner) =>
        File.Exists(PidFile(site, role)) && int.TryParse(File.ReadAllText(PidFile(site, role)).Trim(), out var pid) && Alive(pid) ? pid : null;

    /// <summary>Running and not a zombie (state letter after the command name in /proc/PID/stat).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return !state.StartsWith('Z');
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private string LogTail(Site site, string role = Runner) =>
        File.Exists(LogFile(site, role)) ? string.Join(" | ", File.ReadLines(LogFile(site, role)).TakeLast(5)) : "no log at " + LogFile(site, role);

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "done";

    // ---- backups and restores: the site folder is on this host; bench runs here too ----

    public async Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) =>
        RuntimeOutcome.Done(await LocalSiteFiles.ExportAsync(SiteFolder(site), destination, ct));

    public async Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) =>
        RuntimeOutcome.Done(await LocalSiteFiles.StageAsync(SiteFolder(site), restoreId, tar, ct));

    public Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        OnDisk(() => LocalSiteFiles.Swap(SiteFolder(site), restoreId));

    public Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        OnDisk(() => LocalSiteFiles.Unswap(SiteFolder(site), restoreId));

    public Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        OnDisk(() => LocalSiteFiles.Discard(SiteFolder(site), restoreId));

    /// <summary>Renames done at once; a failure travels in the task, as an async method's would.</summary>
    private static Task<RuntimeOutcome> OnDisk(Func<string> work)
    {
        try { return Task.FromResult(RuntimeOutcome.Done(work())); }
        catch (Exception ex) { return Task.FromException<RuntimeOutcome>(ex); }
    }

    /// <summary>bench runs from the bench folder; no runner is needed (bench talks to the database itself).</summary>
    public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct) => RunBenchAsync(BenchCommands.Migrate(site.Name), ct, wholeOutput: true);

    public Task<RuntimeOutcome> InstallAppAsync(Site site, string app, CancellationToken ct) =>
        RunBenchAsync(BenchCommands.InstallApps(site.Name, [app]), ct);

    public Task<RuntimeOutcome> UninstallAppAsync(Site site, string app, CancellationToken ct) =>
        RunBenchAsync(BenchCommands.UninstallApp(site.Name, app), ct);

    public Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct) => RunBenchAsync(BenchCommands.EnableScheduler(site.Name), ct);

    public Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct) =>
        RunBenchAsync(BenchCommands.SetMaintenanceMode(site.Name, on), ct);

    /// <summary>
    /// Inserts or updates the site's Social Login Key (docs/frappe.md §5): the doc, secret included, goes into a file in
    /// the site folder readable by its owner only, bench reads it there, and the file is removed whatever happened.
    /// </summary>
    public async Task<RuntimeOutcome> ConfigureSocialLoginAsync(Site site, SocialLogin login, CancellationToken ct)
    {
        var exists = BenchCommands.DocExists(site.Name, SocialLoginKey.Doctype, SiteSsoClient.ProviderKey);
        var found = await CommandRunner.RunAsync(["setsid", "--wait", options.BenchExecutable, .. exists.Argv.Skip(1)], _bench, null,
            options.CommandTimeout, ct, cleanEnvironment: true);
        if (found.ExitCode != 0) throw new StepFailedException(FailureKind.Permanent, $"{exists.Display} exited {found.ExitCode}: {found.OutputTail}");
        var update = found.OutputTail.Contains($"\"{SiteSsoClient.ProviderKey}\"", StringComparison.Ordinal);
        var file = Path.Combine(SiteFolder(site), SocialLoginKey.FileName);
        File.Delete(file);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false), create))
                await writer.WriteAsync(SocialLoginKey.Serialize(login).AsMemory(), ct);
            return await RunBenchAsync(update
                ? BenchCommands.UpdateDocFromFile(site.Name, SocialLoginKey.Doctype, SiteSsoClient.ProviderKey, file)
                : BenchCommands.InsertDocFromFile(site.Name, file), ct);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>One bench command in the bench folder, with the command timeout; a non-zero exit is Permanent.</summary>
    /// <remarks>setsid: no controlling terminal, so Frappe's getpass reads stdin instead of the developer's terminal.</remarks>
    /// <param name="wholeOutput">The end of the output, not only its last line (migrate: what a rehearsal reports, docs/architecture.md §20).</param>
    private async Task<RuntimeOutcome> RunBenchAsync(BenchCommand command, CancellationToken ct, string? stdin = null, bool wholeOutput = false)
    {
        BenchCommands.EnsureAllowed(command);
        var result = await CommandRunner.RunAsync(["setsid", "--wait", options.BenchExecutable, .. command.Argv.Skip(1)], _bench,
            BenchCommands.Environment, options.CommandTimeout, ct, stdin, cleanEnvironment: true);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.OutputTail}");
        return RuntimeOutcome.Done(wholeOutput ? $"{command.Display}: {Core.Rehearsals.RehearsalRules.Tail(result.OutputTail)}" : $"{command.Display}: {LastLine(result.OutputTail)}");
    }
}
