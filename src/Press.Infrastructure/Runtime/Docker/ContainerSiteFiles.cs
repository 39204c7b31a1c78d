using System.Formats.Tar;
using System.IO.Pipelines;
using Docker.DotNet.Models;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's uploaded files in its Docker volume. Archives go through the engine's archive API, which works on a
/// stopped container too, so a suspended site is backed up without starting it. Moves and deletes run as the bench
/// user by docker exec in the runner — or, when the runner is not running (suspended) or gone (soft-deleted), in a
/// short-lived helper container (<see cref="HelperSpec"/>) from the runner's image with only the site's volume and no
/// network, removed afterwards. Nothing here starts the runner: a suspended site stays unserved.
/// </summary>
public sealed class ContainerSiteFiles(DockerEngine docker, DockerRuntimeOptions options, RuntimeLimits limits)
{
    public const string HelperLabel = "press.files-helper";

    /// <param name="runtimeKey">The site's <see cref="Site.RuntimeKey"/>, as its runner's name.</param>
    public static string HelperName(string runtimeKey) => $"fcs-press-files-{runtimeKey}";

    /// <summary>
    /// The helper: the site's volume where the runner mounts it, the bench user, no network, and a process that only
    /// waits (an explicit entrypoint, so the image's own command never runs). Not labelled as a runner.
    /// </summary>
    public static CreateContainerParameters HelperSpec(Site site, string image, DockerRuntimeOptions options) => new()
    {
        Name = HelperName(site.RuntimeKey),
        Image = image,
        Entrypoint = ["sleep", "infinity"],
        User = options.BenchUser,
        WorkingDir = RunnerContainer.SiteFolder(options, site),
        Labels = new Dictionary<string, string> { [HelperLabel] = site.Name },
        HostConfig = new HostConfig
        {
            NetworkMode = "none",
            Mounts = [new Mount { Type = "volume", Source = RunnerContainer.Volume(site), Target = RunnerContainer.SiteFolder(options, site) }],
        },
    };

    /// <summary>The commands that carry out one file operation inside the container (absolute paths, no shell).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Commands(string siteFolder, FileOp op) => op switch
    {
        FileOp.Move(var from, var to) =>
        [
            ["mkdir", "-p", Parent($"{siteFolder}/{to}")],
            ["mv", "-T", $"{siteFolder}/{from}", $"{siteFolder}/{to}"],
        ],
        FileOp.CreateFolder(var path) => [["mkdir", "-p", $"{siteFolder}/{path}"]],
        _ => throw new InvalidOperationException($"unknown file operation {op}"),
    };

    /// <summary>One line per path, "yes" for a folder, "no" otherwise; the paths travel as arguments.</summary>
    public static IReadOnlyList<string> ProbeCommand(IEnumerable<string> paths) =>
        ["sh", "-c", "for p in \"$@\"; do if [ -d \"$p\" ]; then echo yes; else echo no; fi; done", "sh", .. paths];

    public async Task<string> ExportAsync(Site site, Stream destination, CancellationToken ct)
    {
        await using var host = await OpenAsync(site, exec: false, ct) ?? throw NoVolume(site);
        var folder = RunnerContainer.SiteFolder(options, site);
        var counts = new ArchiveCounts();
        var absent = new List<string>();
        await using (var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var area in RestoreLayout.Areas)
            {
                await using var source = await docker.GetArchiveAsync(host.Container, $"{folder}/{RestoreLayout.Live(area)}", ct);
                if (source is null) absent.Add(RestoreLayout.Live(area));
                else await RenameEntriesAsync(source, writer, area, counts, ct);
            }
        }
        return $"exported {counts.Describe()}" + (absent.Count == 0 ? "" : $"; {string.Join(" and ", absent)} absent") + host.Note;
    }

    /// <summary>One small file of the site folder (site_config.json) as text; null when the file or the whole
    /// volume does not exist. Through the runner when it exists (running or not), else a helper on the volume.</summary>
    public async Task<string?> ReadFileAsync(Site site, string fileName, CancellationToken ct)
    {
        await using var host = await OpenAsync(site, exec: false, ct);
        if (host is null) return null;
        await using var tar = await docker.GetArchiveAsync(host.Container, $"{RunnerContainer.SiteFolder(options, site)}/{fileName}", ct);
        if (tar is null) return null;
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (entry.Name != fileName || entry.DataStream is not { } data) continue;
            if (entry.Length > 1 << 20) throw new StepFailedException(FailureKind.Permanent, $"{fileName} of {site.Name} is over 1 MiB");
            using var text = new StreamReader(data, System.Text.Encoding.UTF8);
            return await text.ReadToEndAsync(ct);
        }
        return null;
    }

    /// <summary>
    /// The engine names entries after the path's last segment (<c>files/…</c>); they are rewritten to
    /// <c>public/files/…</c> one by one as they stream through, so the archive matches the process driver's.
    /// </summary>
    private static async Task RenameEntriesAsync(Stream source, TarWriter writer, string area, ArchiveCounts counts, CancellationToken ct)
    {
        await using var reader = new TarReader(source, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (FilesArchive.IsMetadataOnly(entry)) continue;
            if (entry.Name != "files" && !entry.Name.StartsWith("files/", StringComparison.Ordinal))
                throw new StepFailedException(FailureKind.Permanent, $"the engine's archive of {area}/files holds an unexpected entry '{entry.Name}'");
            var name = $"{area}/{entry.Name}";
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name.EndsWith('/') ? name : name + "/")
                    {
                        Mode = FilesArchive.SafeMode(entry.Mode, folder: true), ModificationTime = entry.ModificationTime, Uid = entry.Uid, Gid = entry.Gid,
                    }, ct);
                    counts.Folder();
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    var file = new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        Mode = FilesArchive.SafeMode(entry.Mode, folder: false), ModificationTime = entry.ModificationTime, Uid = entry.Uid, Gid = entry.Gid,
                    };
                    if (entry.DataStream is { } data) file.DataStream = new SizedReadStream(data, entry.Length);
                    await writer.WriteEntryAsync(file, ct);
                    counts.File(entry.Length);
                    break;
                default:
                    counts.Skip(name.TrimEnd('/'), entry.EntryType.ToString());
                    break;
            }
        }
    }

    public async Task<string> StageAsync(Site site, string restoreId, Stream tar, CancellationToken ct)
    {
        RestoreLayout.ValidateRestoreId(restoreId);
        await using var host = await OpenAsync(site, exec: true, ct) ?? throw NoVolume(site);
        var folder = RunnerContainer.SiteFolder(options, site);
        if ((await ProbeAsync(host, folder, [RestoreLayout.KeptPrevious(restoreId)], ct))[0])
            throw new StepFailedException(FailureKind.Permanent,
                $"restore {restoreId} is already swapped ({RestoreLayout.KeptPrevious(restoreId)} exists): unswap or discard it before staging again");
        var staging = $"{folder}/{RestoreLayout.Staging(restoreId)}";
        await RunAsync(host, ["rm", "-rf", staging], ct);

        var counts = new ArchiveCounts();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var produce = Task.Run(() => WriteStagingTarAsync(tar, pipe.Writer, restoreId, counts, stop.Token), CancellationToken.None);
        Exception? uploadError = null, produceError = null;
        try
        {
            await using var body = pipe.Reader.AsStream();
            await docker.ExtractArchiveAsync(host.Container, folder, body, stop.Token);
        }
        catch (Exception ex)
        {
            uploadError = ex;
            await stop.CancelAsync();
        }
        try { await produce; }
        catch (Exception ex) { produceError = ex; }

        // The archive's own fault (a refused entry, a broken tar) explains an aborted upload better than the abort.
        var failure = produceError is not null and not OperationCanceledException ? FilesArchive.Unreadable(produceError) ?? produceError
            : uploadError ?? produceError;
        if (failure is not null)
        {
            // A refused archive leaves nothing staged (nor the restore's folders, when that emptied them).
            await TryRunAsync(host, ["rm", "-rf", staging]);
            await TryRunAsync(host, ["rmdir", "--ignore-fail-on-non-empty", $"{folder}/{RestoreLayout.Folder(restoreId)}", $"{folder}/{RestoreLayout.Root}"]);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return $"staged {counts.Describe()} in {RestoreLayout.Staging(restoreId)}; live files untouched" + host.Note;
    }

    /// <summary>
    /// Re-writes the archive under the staging folder as it streams: every entry checked, owned by the bench user
    /// (the engine applies the archive's owner), with both areas' folders present even when the archive lacks one.
    /// </summary>
    private async Task WriteStagingTarAsync(Stream tar, PipeWriter pipe, string restoreId, ArchiveCounts counts, CancellationToken ct)
    {
        try
        {
            await using (var output = pipe.AsStream(leaveOpen: true))
            await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
            {
                var prefixes = new List<string> { RestoreLayout.Root, RestoreLayout.Folder(restoreId), RestoreLayout.Staging(restoreId) };
                foreach (var area in RestoreLayout.Areas) prefixes.AddRange([$"{RestoreLayout.Staging(restoreId)}/{area}", RestoreLayout.Staged(restoreId, area)]);
                foreach (var prefix in prefixes)
                    await writer.WriteEntryAsync(Owned(new PaxTarEntry(TarEntryType.Directory, prefix + "/") { Mode = FilesArchive.FolderMode }), ct);

                await using var reader = new TarReader(tar, leaveOpen: true);
                while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
                {
                    if (FilesArchive.IsMetadataOnly(entry)) continue;
                    var name = $"{RestoreLayout.Staging(restoreId)}/{FilesArchive.StagedPath(entry)}";
                    if (entry.EntryType == TarEntryType.Directory)
                    {
                        await writer.WriteEntryAsync(Owned(new PaxTarEntry(TarEntryType.Directory, name + "/")
                            { Mode = FilesArchive.SafeMode(entry.Mode, folder: true), ModificationTime = entry.ModificationTime }), ct);
                        counts.Folder();
                        continue;
                    }
                    var file = Owned(new PaxTarEntry(TarEntryType.RegularFile, name)
                        { Mode = FilesArchive.SafeMode(entry.Mode, folder: false), ModificationTime = entry.ModificationTime });
                    if (entry.DataStream is { } data) file.DataStream = new SizedReadStream(data, entry.Length);
                    await writer.WriteEntryAsync(file, ct);
                    counts.File(entry.Length);
                }
            }
            await pipe.CompleteAsync();
        }
        catch (Exception ex)
        {
            await pipe.CompleteAsync(ex); // aborts the upload
            throw;
        }
    }

    private PaxTarEntry Owned(PaxTarEntry entry)
    {
        entry.Uid = options.BenchUid;
        entry.Gid = options.BenchUid;
        return entry;
    }

    public Task<string> SwapAsync(Site site, string restoreId, CancellationToken ct) => RunPlanAsync(site, restoreId, FileSwap.Swap, ct);

    public Task<string> UnswapAsync(Site site, string restoreId, CancellationToken ct) => RunPlanAsync(site, restoreId, FileSwap.Unswap, ct);

    private async Task<string> RunPlanAsync(Site site, string restoreId, Func<string, string, AreaState, AreaPlan> plan, CancellationToken ct)
    {
        RestoreLayout.ValidateRestoreId(restoreId);
        await using var host = await OpenAsync(site, exec: true, ct) ?? throw NoVolume(site);
        var folder = RunnerContainer.SiteFolder(options, site);
        var states = FileSwap.States(await ProbeAsync(host, folder, FileSwap.ProbePaths(restoreId), ct));
        var (ops, summary) = FileSwap.Combine(RestoreLayout.Areas.Zip(states).Select(p => plan(restoreId, p.First, p.Second)).ToList());
        foreach (var command in ops.SelectMany(op => Commands(folder, op))) await RunAsync(host, command, ct);
        return summary + host.Note;
    }

    public async Task<string> DiscardAsync(Site site, string restoreId, CancellationToken ct)
    {
        RestoreLayout.ValidateRestoreId(restoreId);
        await using var host = await OpenAsync(site, exec: true, ct);
        if (host is null) return $"volume {RunnerContainer.Volume(site)} does not exist; nothing to discard";
        var folder = RunnerContainer.SiteFolder(options, site);
        var found = await ProbeAsync(host, folder, [RestoreLayout.Folder(restoreId), .. FileSwap.ProbePaths(restoreId)], ct);
        if (!found[0]) return $"{RestoreLayout.Folder(restoreId)} does not exist; nothing to discard" + host.Note;
        foreach (var (area, state) in RestoreLayout.Areas.Zip(FileSwap.States(found.Skip(1).ToList())))
            FileSwap.EnsureDiscardable(restoreId, area, state);
        await RunAsync(host, ["rm", "-rf", $"{folder}/{RestoreLayout.Folder(restoreId)}"], ct);
        await RunAsync(host, ["rmdir", "--ignore-fail-on-non-empty", $"{folder}/{RestoreLayout.Root}"], ct);
        return $"deleted {RestoreLayout.Folder(restoreId)}" + host.Note;
    }

    /// <summary>
    /// The container to work in: the runner when it exists (and runs, if commands must run), else a helper created
    /// for this operation. Null when neither the runner nor the site's volume exists.
    /// </summary>
    private async Task<FilesHost?> OpenAsync(Site site, bool exec, CancellationToken ct)
    {
        var runner = RunnerContainer.Name(site);
        var state = await docker.InspectAsync(runner, ct);
        if (state is not null && (!exec || state.State?.Running == true)) return new FilesHost(runner, "", null);
        if (state is null && !await docker.VolumeExistsAsync(RunnerContainer.Volume(site), ct)) return null;

        // The runner's own image when it exists (its ID: the tag may have moved since), else the configured one.
        var image = state?.Image ?? (await limits.ForAsync(site, ct)).Image;
        var helper = HelperName(site.RuntimeKey);
        await docker.RemoveAsync(helper, ct); // one left by an interrupted operation
        await docker.CreateAsync(HelperSpec(site, image, options), ct);
        var host = new FilesHost(helper, $" (through helper container {helper}: runner {runner} {(state is null ? "does not exist" : "is not running")})", docker);
        if (!exec) return host;
        try
        {
            await docker.StartAsync(helper, ct);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task<IReadOnlyList<bool>> ProbeAsync(FilesHost host, string siteFolder, IReadOnlyList<string> relativePaths, CancellationToken ct)
    {
        var result = await docker.ExecAsync(host.Container, ProbeCommand(relativePaths.Select(p => $"{siteFolder}/{p}")), options.BenchUser,
            options.BenchFolder, TimeSpan.FromMinutes(1), ct);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || lines.Length != relativePaths.Count || lines.Any(l => l is not ("yes" or "no")))
            throw new StepFailedException(FailureKind.Permanent, $"cannot look at the site folder in {host.Container} (exit {result.ExitCode}): {result.Output}");
        return lines.Select(l => l == "yes").ToList();
    }

    private async Task RunAsync(FilesHost host, IReadOnlyList<string> argv, CancellationToken ct)
    {
        var result = await docker.ExecAsync(host.Container, argv, options.BenchUser, options.BenchFolder, options.CommandTimeout, ct);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{string.Join(' ', argv)} in {host.Container} exited {result.ExitCode}: {result.Output}");
    }

    /// <summary>Cleanup on the way out of a failure: its own trouble must not hide the failure being reported.</summary>
    private async Task TryRunAsync(FilesHost host, IReadOnlyList<string> argv)
    {
        try { await RunAsync(host, argv, CancellationToken.None); }
        catch (StepFailedException) { }
    }

    private static string Parent(string path) => path[..path.LastIndexOf('/')];

    private static StepFailedException NoVolume(Site site) =>
        new(FailureKind.Permanent,
            $"neither runner {RunnerContainer.Name(site)} nor volume {RunnerContainer.Volume(site)} exists: the site has no files on this engine (purged?)");

    /// <param name="Note">Appended to the step's message: how the files were reached, when not through the runner.</param>
    /// <param name="Helper">The engine, when the container is a helper to remove afterwards.</param>
    private sealed record FilesHost(string Container, string Note, DockerEngine? Helper) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Helper is not null) await Helper.RemoveAsync(Container, CancellationToken.None);
        }
    }
}
