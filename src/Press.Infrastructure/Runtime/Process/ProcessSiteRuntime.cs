using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// The process driver, for Frappe developers with a local bench: bench runs in the configured bench folder on this
/// host and each site's runner is a detached <c>bench serve --port P</c> with its pid and log in the site folder,
/// beside the site's own redis-server (<see cref="SiteRedisProcess"/>). Bench and the runner get a clean environment
/// (none of Press's settings) and no terminal, so Frappe's password prompt reads the stdin Press gives it.
/// </summary>
public sealed class ProcessSiteRuntime(ProcessRuntimeOptions options, RuntimeEndpoints endpoints, FrappePing ping) : ISiteRuntime
{
    private readonly string _bench = Path.GetFullPath(options.BenchFolder
        ?? throw new InvalidOperationException("Press:Runtime:Process:BenchFolder must name a bench folder for the process driver."));

    private SiteRedisProcess Redis => new(options, _bench);

    public string Driver => "process";

    private string SiteFolder(Site site) => Path.Combine(_bench, "sites", site.Name);
    private string PidFile(Site site) => Path.Combine(SiteFolder(site), ".press-runner.pid");
    private string LogFile(Site site) => Path.Combine(SiteFolder(site), "logs", "press-runner.log");
    private string InstalledMarker(Site site) => Path.Combine(SiteFolder(site), ".press-installed");

    public async Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(SiteFolder(site), "logs"));
        var path = Path.Combine(SiteFolder(site), "site_config.json");
        var json = SiteConfig.Serialize(SiteConfig.Build(site, secrets.DatabasePassword, endpoints.DatabaseHost,
            endpoints.DatabasePort, Redis.CheckedSocket(site)));
        // Write-then-rename, readable by the owner only: the file holds the site's database password.
        var temp = path + ".tmp";
        File.Delete(temp);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // never readable by others, not even briefly
        await using (var file = new StreamWriter(temp, new System.Text.UTF8Encoding(false), create)) await file.WriteAsync(json.AsMemory(), ct);
        File.Move(temp, path, overwrite: true);
        return RuntimeOutcome.Done($"wrote {path}");
    }

    public async Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct)
    {
        var redis = await Redis.StartAsync(site, ct);
        return RuntimeOutcome.Done($"{redis}; {await StartRunnerAsync(site, ct)}");
    }

    private async Task<string> StartRunnerAsync(Site site, CancellationToken ct)
    {
        if (RunningPid(site) is { } pid) return $"already running (pid {pid})";
        var port = site.RunnerPort ?? throw new StepFailedException(FailureKind.Permanent, "no runner port allocated");
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile(site))!);
        File.Delete(PidFile(site)); // a dead runner's, so the wait below sees the new one's
        // setsid -f detaches the runner from the worker (it must outlive a worker restart); the tiny sh records the
        // pid and redirects output. Values travel as arguments and environment, never spliced into the script.
        var result = await CommandRunner.RunAsync(
            ["setsid", "-f", "sh", "-c", "echo $$ > \"$PRESS_PIDFILE\"; exec \"$@\" >>\"$PRESS_LOGFILE\" 2>&1 </dev/null",
                "sh", options.BenchExecutable, "serve", "--port", port.ToString()],
            _bench, new Dictionary<string, string> { ["PRESS_PIDFILE"] = PidFile(site), ["PRESS_LOGFILE"] = LogFile(site) },
            TimeSpan.FromSeconds(10), ct, cleanEnvironment: true);
        if (result.ExitCode != 0) throw new StepFailedException(FailureKind.Permanent, $"cannot start bench serve: {result.OutputTail}");
        // The pid file is written before bench serve runs (sh, then exec). Whether the runner stays up is wait-healthy's
        // to judge: a runner that dies (its port taken, a broken bench) fails it at once with its log lines.
        for (var i = 0; i < 50 && !File.Exists(PidFile(site)); i++) await Task.Delay(100, ct);
        return File.Exists(PidFile(site))
            ? $"started bench serve --port {port} (pid {File.ReadAllText(PidFile(site)).Trim()}), log {LogFile(site)}"
            : throw new StepFailedException(FailureKind.Transient, $"bench serve wrote no pid file in 5 s: {LogTail(site)}");
    }

    public async Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        if (File.Exists(InstalledMarker(site))) return RuntimeOutcome.Done("already installed");
        var done = await RunBenchAsync(BenchCommands.NewSite(site.Name, site.Apps), ct, BenchCommands.AdminPasswordPrompt(secrets.AdminPassword));
        await File.WriteAllTextAsync(InstalledMarker(site), DateTimeOffset.UtcNow.ToString("O"), ct);
        return done;
    }

    public Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct) =>
        site.RunnerPort is not { } port ? throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no runner port allocated")
        : RunningPid(site) is null ? Task.FromResult(HealthProbe.RunnerExited($"bench serve --port {port} of {site.Name} is not running (log {LogFile(site)})"))
        : ping.ProbeAsync(site.Name, port, ct);

    /// <summary>The runner, then its Redis (queued jobs stay in its append-only file).</summary>
    public async Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct)
    {
        var runner = await StopRunnerAsync(site, ct);
        return RuntimeOutcome.Done($"{runner}; {await Redis.StopAsync(site, ct)}");
    }

    public async Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct) => RuntimeOutcome.Done(await Redis.RemoveAsync(site, ct));

    private async Task<string> StopRunnerAsync(Site site, CancellationToken ct)
    {
        if (RunningPid(site) is not { } pid) return "already stopped";
        // The runner leads its own session: signal the whole group (bench serve may have children).
        await CommandRunner.RunAsync(["kill", "-TERM", "--", $"-{pid}"], _bench, null, TimeSpan.FromSeconds(5), ct);
        for (var i = 0; i < 100 && Alive(pid); i++) await Task.Delay(100, ct);
        if (Alive(pid)) await CommandRunner.RunAsync(["kill", "-KILL", "--", $"-{pid}"], _bench, null, TimeSpan.FromSeconds(5), ct);
        File.Delete(PidFile(site));
        return $"stopped bench serve (pid {pid})";
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

    public async Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) =>
        File.Exists(LogFile(site)) ? (await File.ReadAllLinesAsync(LogFile(site), ct)).TakeLast(tail).ToList() : [];

    public RuntimeStatus Describe(Site site) => new(Driver, site.RunnerPort is not null,
        site.RunnerPort is { } p ? $"bench serve on 127.0.0.1:{p} in {_bench}" : "no runner yet");

    private int? RunningPid(Site site) =>
        File.Exists(PidFile(site)) && int.TryParse(File.ReadAllText(PidFile(site)).Trim(), out var pid) && Alive(pid) ? pid : null;

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

    private string LogTail(Site site) =>
        File.Exists(LogFile(site)) ? string.Join(" | ", File.ReadLines(LogFile(site)).TakeLast(5)) : "no log at " + LogFile(site);

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
    public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct) => RunBenchAsync(BenchCommands.Migrate(site.Name), ct);

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
    private async Task<RuntimeOutcome> RunBenchAsync(BenchCommand command, CancellationToken ct, string? stdin = null)
    {
        BenchCommands.EnsureAllowed(command);
        var result = await CommandRunner.RunAsync(["setsid", "--wait", options.BenchExecutable, .. command.Argv.Skip(1)], _bench, null,
            options.CommandTimeout, ct, stdin, cleanEnvironment: true);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.OutputTail}");
        return RuntimeOutcome.Done($"{command.Display}: {LastLine(result.OutputTail)}");
    }
}
