using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Docker;

// A claim's rename of a standby (docs/architecture.md §17, docs/frappe.md §9). Docker renames no volume, so nothing of
// the standby's is renamed: the site keeps its runtime key (Site.RuntimeKey, the standby's opaque name, recorded by the
// claim), and so its containers' and volumes' names. What makes it the new site is where its volume is mounted — the
// volume's root is the Frappe site folder, mounted at sites/<name> — and its containers' labels and health check: all
// three are set when a container is made, so the rename removes the standby's containers and the next start makes
// them for the new name. Its Redis data (cache built for the old name, queued jobs naming it) is dropped with its volume.
public sealed partial class DockerSiteRuntime
{
    public bool CanRename => true;

    /// <summary>
    /// Removes the standby's containers (runner, background processes, Redis), its Redis data and socket.io's volume of
    /// the old name; the site's files stay in their volume, which the next start mounts as the new name's site folder.
    /// Idempotent: a runner already made for the new name, or nothing left to remove, is "already renamed".
    /// </summary>
    public async Task<RuntimeOutcome> RenameAsync(Site site, string fromName, CancellationToken ct)
    {
        if (site.RuntimeKey == site.Name && fromName != site.Name)
            throw new StepFailedException(FailureKind.Permanent,
                $"site {site.Name} records no runtime name, so its runtime would be looked for under the new name; the standby's is under {fromName}");
        var runner = RunnerContainer.Name(site);
        if (await docker.InspectAsync(runner, ct) is { } made && RunnerContainer.MadeFor(made, site))
            return RuntimeOutcome.Done($"already renamed: {runner} is made for {site.Name}");
        var volume = RunnerContainer.Volume(site);
        if (!await docker.VolumeExistsAsync(volume, ct))
            throw new StepFailedException(FailureKind.Permanent, $"volume {volume} does not exist: the standby {fromName} has no files left to claim");

        var removed = new List<string>();
        foreach (var name in SiteContainers.Names(site))
        {
            if (await docker.InspectAsync(name, ct) is null) continue;
            await docker.RemoveAsync(name, ct);
            removed.Add(name);
        }
        // The volumes after the containers that mount them (Docker keeps a volume in use).
        var redis = await docker.RemoveVolumeAsync(RedisContainer.Volume(site), ct);
        var socketIo = await docker.RemoveVolumeAsync(BackgroundContainer.SocketIoVolume(fromName), ct);
        _socketIoSockets.TryRemove(fromName, out _);
        var mounted = $"volume {volume} keeps the site folder and is mounted at {RunnerContainer.SiteFolder(options, site)} from the next start";
        if (removed.Count == 0 && !redis && !socketIo)
            return RuntimeOutcome.Done($"already renamed: no container of {site.RuntimeKey} left, its Redis data already dropped; {mounted}");
        return RuntimeOutcome.Done((removed.Count == 0 ? "no container left" : $"removed {string.Join(", ", removed)}")
            + (redis ? $"; dropped the standby's Redis data (volume {RedisContainer.Volume(site)})" : "; Redis data already dropped")
            + (socketIo ? $"; removed socket.io's volume {BackgroundContainer.SocketIoVolume(fromName)} of {fromName}" : "")
            + $"; {mounted}");
    }

    /// <summary>In the running runner, as any bench command of a served site; the password on stdin, never in argv
    /// (docs/frappe.md §9).</summary>
    public async Task<RuntimeOutcome> SetAdminPasswordAsync(Site site, string adminPassword, CancellationToken ct)
    {
        var command = Bench.BenchCommands.SetAdminPassword(site.Name);
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} runs inside the site's runner, and {why}");
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct, Bench.BenchCommands.AdminPasswordLine(adminPassword)));
    }
}
