using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Infrastructure.Bench;
using Press.Infrastructure.Runtime.Background;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// The Docker driver: one runner container per site (<see cref="RunnerContainer"/>) beside its own Redis
/// (<see cref="RedisContainer"/>) and its workers and scheduler (<see cref="BackgroundContainer"/>), bench commands by docker exec, the site's files in its own volume (kept on soft
/// delete, removed on purge; exported and restored by <see cref="ContainerSiteFiles"/>, which works whether the runner
/// runs or not).
/// </summary>
public sealed partial class DockerSiteRuntime(DockerEngine docker, DockerRuntimeOptions options, RuntimeLimits limits,
    RuntimeEndpoints endpoints, FrappePing ping) : ISiteRuntime
{
    private readonly ContainerSiteFiles _files = new(docker, options, limits);

    public string Driver => "docker";

    public async Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        var created = await EnsureCreatedAsync(site, ct);
        var where = $"{RunnerContainer.SiteFolder(options, site)}/site_config.json";
        var onDisk = await _files.ReadFileAsync(site, "site_config.json", ct) is { } text ? SiteConfig.Parse(text, where) : null;
        var kept = secrets.KeptConfig is { } k ? SiteConfig.Parse(k, "the site's kept config") : null;
        var merged = SiteConfig.Merge(SiteConfig.Build(site, secrets.DatabasePassword, endpoints.DatabaseHost,
            endpoints.DatabasePort, RunnerContainer.RedisSocket(options), endpoints.SiteUrl(site.Name)), onDisk, kept);
        var json = SiteConfig.Serialize(merged);
        // Readable by the bench user only: the file holds the site's database password. Written through a helper on the
        // site's volume: the runner's root file system is read-only, and the engine writes the site folder's owner only
        // when it extracts into the folder's parent.
        var helper = ContainerSiteFiles.HelperName(site.RuntimeKey);
        await docker.RemoveAsync(helper, ct);
        await docker.CreateAsync(ContainerSiteFiles.HelperSpec(site, (await limits.ForAsync(site, ct)).Image, options), ct);
        try
        {
            await docker.PutFileAsync(helper, RunnerContainer.SiteFolder(options, site), "site_config.json", json,
                options.BenchUid, UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        }
        finally
        {
            await docker.RemoveAsync(helper, CancellationToken.None);
        }
        return RuntimeOutcome.Done($"{created}; wrote {where}: {SiteConfig.DescribeWrite(merged, onDisk, kept)}");
    }

    public async Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct) =>
        await _files.ReadFileAsync(site, "site_config.json", ct) is { } text
            ? SiteConfig.OwnKeys(SiteConfig.Parse(text, $"site_config.json of {site.Name}")).ToJsonString()
            : null;

    /// <summary><c>bench version</c> in the running runner (bench-wide: the image's apps).</summary>
    public async Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct)
    {
        var command = BenchCommands.Version();
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} runs inside the site's runner, and {why}");
        var result = await docker.ExecAsync(RunnerContainer.Name(site), command.Argv, options.BenchUser, options.BenchFolder, TimeSpan.FromMinutes(1), ct,
            environment: BenchCommands.Environment);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.Output}");
        return BenchCommands.ParseVersions(result.Output);
    }

    /// <summary>The runner container's image: the reference it was created from and the ID the engine resolved it to.</summary>
    public async Task<RunnerImage?> RunnerImageAsync(Site site, CancellationToken ct) =>
        await docker.InspectAsync(RunnerContainer.Name(site), ct) is { Config.Image: { } reference } runner ? new RunnerImage(reference, runner.Image) : null;

    /// <summary>The site's Redis first: the runner's Frappe connects to it from its first request.</summary>
    public async Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var redis = RedisContainer.Name(site);
        var created = await EnsureCreatedAsync(site, ct);
        var done = new List<string> { created };
        if ((await docker.InspectAsync(redis, ct))?.State?.Running != true)
        {
            await docker.StartAsync(redis, ct);
            done.Add($"started {redis}");
        }
        if ((await docker.InspectAsync(name, ct))?.State?.Running == true)
            done.Add($"{name} already running");
        else
        {
            await docker.StartAsync(name, ct);
            done.Add($"started {name} on 127.0.0.1:{Port(site)}");
        }
        var started = new List<string>();
        foreach (var background in BackgroundContainer.Names(site))
        {
            if ((await docker.InspectAsync(background, ct))?.State?.Running == true) continue;
            await docker.StartAsync(background, ct);
            started.Add(background);
        }
        done.Add(started.Count == 0 ? "workers and scheduler already running" : $"started {string.Join(", ", started)}");
        return RuntimeOutcome.Done(string.Join("; ", done));
    }

    /// <summary>
    /// Runs new-site; the install step has made sure the schema is empty (docs/architecture.md §9). A runner that has
    /// already exited fails here at once with its last log lines (asked through the engine, which works whether the
    /// runner runs or not), rather than with an exec error.
    /// </summary>
    public async Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        if (RunnerExit.Reason(name, await docker.InspectAsync(name, ct)) is { } exited)
            throw new StepFailedException(FailureKind.Permanent, $"the runner exited: {exited}; its last log lines:\n" +
                string.Join('\n', await docker.LogsAsync(name, Press.Core.Sites.Steps.WaitHealthyStep.ExitLogLines, ct)));
        return RuntimeOutcome.Done(await RunBenchAsync(site, BenchCommands.NewSite(site.Name, site.Apps), ct,
            BenchCommands.AdminPasswordPrompt(secrets.AdminPassword)));
    }

    /// <summary>One bench command in the runner as the bench user, with the command timeout; a non-zero exit is Permanent.</summary>
    /// <param name="wholeOutput">The end of the output (<see cref="Core.Rehearsals.RehearsalRules.Tail"/>), not only its
    /// last line: migrate's patches are what a rehearsal reports (docs/architecture.md §20).</param>
    private async Task<string> RunBenchAsync(Site site, BenchCommand command, CancellationToken ct, string? stdin = null, bool wholeOutput = false)
    {
        BenchCommands.EnsureAllowed(command);
        var result = await docker.ExecAsync(RunnerContainer.Name(site), command.Argv, options.BenchUser, options.BenchFolder, options.CommandTimeout,
            ct, stdin, BenchCommands.Environment);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.Output}");
        return wholeOutput ? $"{command.Display}: {Core.Rehearsals.RehearsalRules.Tail(result.Output)}" : $"{command.Display}: {LastLine(result.Output)}";
    }

    /// <summary>
    /// Frappe's ping, unless the container has exited (or keeps restarting) and so cannot answer; and every worker and
    /// the scheduler running: a site whose jobs never run is not healthy.
    /// </summary>
    public async Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct)
    {
        var port = Port(site);
        var name = RunnerContainer.Name(site);
        var inspect = await docker.InspectAsync(name, ct);
        var exited = RunnerExit.Reason(name, inspect);
        if (exited is not null && inspect?.State?.Running != true) return HealthProbe.RunnerExited(exited);
        var probe = await ping.ProbeAsync(site.Name, port, ct);
        // Running again after a crash: it may yet answer; when it does not, the crash is what to report.
        if (!probe.Healthy && exited is not null) return HealthProbe.RunnerExited($"{exited}; {probe.Detail}");
        var stopped = new List<string>();
        foreach (var background in BackgroundContainer.Names(site))
            if ((await docker.InspectAsync(background, ct))?.State?.Running != true) stopped.Add(background);
        return stopped.Count == 0 ? probe
            : new HealthProbe(true, false, $"{probe.Detail}; not running: {string.Join(", ", stopped)}");
    }

    /// <summary>In the runner, which must run (a stopped one fails Permanently: resume the site, then retry).</summary>
    public async Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct)
    {
        var command = BenchCommands.EnableScheduler(site.Name);
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} runs inside the site's runner, and {why}: resume the site, then retry");
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct));
    }

    /// <summary>The workers and scheduler (a running job is given the stop timeout to end), the runner, then its Redis
    /// (queued jobs stay in its append-only file).</summary>
    public async Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct)
    {
        // The sidecars at once: each may take the stop timeout to finish its current job.
        var done = (await Task.WhenAll(BackgroundContainer.Names(site).Select(name => StopOneAsync(name, ct)))).ToList();
        done.Add(await StopOneAsync(RunnerContainer.Name(site), ct));
        done.Add(await StopOneAsync(RedisContainer.Name(site), ct));
        return RuntimeOutcome.Done(string.Join("; ", done));
    }

    private async Task<string> StopOneAsync(string name, CancellationToken ct)
    {
        var state = await docker.InspectAsync(name, ct);
        if (state is null) return $"{name} does not exist; nothing to stop";
        if (state.State?.Running != true) return $"{name} already stopped";
        await docker.StopAsync(name, ct);
        return $"stopped {name}";
    }

    public async Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct)
    {
        var removed = new List<string>();
        foreach (var name in (string[])[.. BackgroundContainer.Names(site), RunnerContainer.Name(site), RedisContainer.Name(site)])
        {
            if (await docker.InspectAsync(name, ct) is null) continue;
            await docker.RemoveAsync(name, ct);
            removed.Add(name);
        }
        return RuntimeOutcome.Done((removed.Count == 0 ? "runner, workers, scheduler and Redis already removed" : $"removed {string.Join(" and ", removed)}")
            + $"; site files kept in volume {RunnerContainer.Volume(site)}, Redis data in {RedisContainer.Volume(site)}");
    }

    /// <summary>Every container that mounts the Redis volume goes first: Docker keeps a volume that is in use.</summary>
    public async Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct)
    {
        foreach (var background in BackgroundContainer.Names(site)) await docker.RemoveAsync(background, ct);
        await docker.RemoveAsync(RunnerContainer.Name(site), ct);
        await docker.RemoveAsync(RedisContainer.Name(site), ct);
        var removed = await docker.RemoveVolumeAsync(RedisContainer.Volume(site), ct);
        return RuntimeOutcome.Done(removed ? $"removed {RedisContainer.Name(site)} and its data (volume {RedisContainer.Volume(site)})"
            : $"volume {RedisContainer.Volume(site)} already gone");
    }

    public async Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct)
    {
        foreach (var background in BackgroundContainer.Names(site)) await docker.RemoveAsync(background, ct);
        await docker.RemoveAsync(RunnerContainer.Name(site), ct);
        var removed = await docker.RemoveVolumeAsync(RunnerContainer.Volume(site), ct);
        await docker.RemoveVolumeAsync(BackgroundContainer.SocketIoVolume(site.Name), ct);
        _socketIoSockets.TryRemove(site.Name, out _);
        return RuntimeOutcome.Done(removed ? $"removed volume {RunnerContainer.Volume(site)}" : $"volume {RunnerContainer.Volume(site)} already gone");
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _socketIoSockets = new();

    /// <summary>socket.io's socket in its volume's folder on this host (the engine's data root must be on this host).</summary>
    public async Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct)
    {
        if (_socketIoSockets.TryGetValue(siteName, out var known)) return known;
        if (await docker.VolumeMountpointAsync(BackgroundContainer.SocketIoVolume(siteName), ct) is not { } folder) return null;
        return _socketIoSockets[siteName] = $"{folder}/{BackgroundContainer.SocketIoSocketName}";
    }

    public Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) =>
        docker.LogsAsync(RunnerContainer.Name(site), tail, ct);

    public RuntimeStatus Describe(Site site) => site.RunnerPort is { } port
        ? new RuntimeStatus(Driver, true, $"container {RunnerContainer.Name(site)} on 127.0.0.1:{port}")
        : new RuntimeStatus(Driver, false, "no runner yet");

    /// <summary>
    /// Creates the site's Redis, then its runner, from their specs when missing (not started), returning what it did.
    /// Redis first: its new volume takes the owner of the Redis image's /data before the runner mounts it.
    /// </summary>
    internal async Task<string> EnsureCreatedAsync(Site site, CancellationToken ct)
    {
        var done = new List<string>();
        var redis = RedisContainer.Name(site);
        if (await docker.InspectAsync(redis, ct) is null)
        {
            await docker.CreateAsync(RedisContainer.Build(site, await limits.RedisForAsync(site, ct), options), ct);
            done.Add($"created {redis}");
        }
        var name = RunnerContainer.Name(site);
        var runner = await docker.InspectAsync(name, ct);
        if (runner is not null && !RunnerContainer.MountsOwnRedis(runner, site, options))
        {
            // A runner created before each site had its own Redis: its files and data are in volumes, so it is
            // replaced by one built from today's spec (with the Redis socket and the lock-down).
            await docker.RemoveAsync(name, ct);
            done.Add($"removed {name} (created without its own Redis)");
            runner = null;
        }
        if (runner is not null && !RunnerContainer.MadeFor(runner, site))
        {
            // Made for another name (a claimed standby's, docs/architecture.md §17): its mount and health check follow the name.
            await docker.RemoveAsync(name, ct);
            done.Add($"removed {name} (made for another name)");
            runner = null;
        }
        var runnerLimits = await limits.ForAsync(site, ct);
        if (runner is not null && runner.Config?.Image != runnerLimits.Image)
        {
            // Made from another image than the site's (an upgrade, or its undo; docs/architecture.md §18): the site's files
            // and Redis data are in volumes, so the runner is remade from the site's image.
            await docker.RemoveAsync(name, ct);
            done.Add($"removed {name} (made from {runner.Config?.Image}, the site's image is {runnerLimits.Image})");
            runner = null;
        }
        if (runner is null)
        {
            await docker.CreateAsync(RunnerContainer.Build(site, Port(site), runnerLimits, options), ct);
            done.Add($"created {name}");
        }
        var backgroundLimits = await limits.BackgroundForAsync(site, ct);
        foreach (var process in BackgroundProcesses.All)
        {
            var background = BackgroundContainer.Name(site, process.Role);
            if (await docker.InspectAsync(background, ct) is { } existing)
            {
                var madeFor = RunnerContainer.MadeFor(existing, site);
                if (madeFor && existing.Config?.Image == backgroundLimits.Image) continue;
                await docker.RemoveAsync(background, ct);
                done.Add(madeFor ? $"removed {background} (made from {existing.Config?.Image})" : $"removed {background} (made for another name)");
            }
            if (process.Kind == BackgroundKind.SocketIo) await GiveSocketIoVolumeToBenchUserAsync(site, backgroundLimits.Image, ct);
            await docker.CreateAsync(BackgroundContainer.Build(site, process, backgroundLimits, options), ct);
            done.Add($"created {background}");
        }
        return done.Count == 0 ? $"{name}, its workers, scheduler and {redis} exist" : string.Join("; ", done);
    }

    private async Task GiveSocketIoVolumeToBenchUserAsync(Site site, string image, CancellationToken ct)
    {
        var spec = BackgroundContainer.SocketIoVolumeHelper(site, image);
        var name = spec.Name!;
        await docker.RemoveAsync(name, ct); // one left by an interrupted step
        await docker.CreateAsync(spec, ct);
        try
        {
            await docker.PutFileAsync(name, BackgroundContainer.SocketIoFolder, "README", "socket.io's unix socket (docs/architecture.md §9)\n",
                options.BenchUid, UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        }
        finally
        {
            await docker.RemoveAsync(name, CancellationToken.None);
        }
    }

    private static int Port(Site site) =>
        site.RunnerPort ?? throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no runner port allocated");

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "done";
}
