using System.Formats.Tar;
using Press.Core.Jobs;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// A site's uploaded files in a site folder on this host (the process driver): export as one tar streamed from the
/// folders, staging from a tar, and the swap plans of <see cref="FileSwap"/> run as renames.
/// </summary>
public static class LocalSiteFiles
{
    public static async Task<string> ExportAsync(string siteFolder, Stream destination, CancellationToken ct)
    {
        RequireFolder(siteFolder);
        var counts = new ArchiveCounts();
        var absent = new List<string>();
        await using (var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var area in RestoreLayout.Areas)
            {
                var root = new DirectoryInfo(Path.Combine(siteFolder, area, "files"));
                if (!root.Exists) absent.Add(RestoreLayout.Live(area));
                else if (root.LinkTarget is not null) counts.Skip(RestoreLayout.Live(area), "symbolic link");
                else await WriteFolderAsync(writer, root, RestoreLayout.Live(area), counts, ct);
            }
        }
        return $"exported {counts.Describe()}" + (absent.Count == 0 ? "" : $"; {string.Join(" and ", absent)} absent");
    }

    /// <summary>Folders before their contents, names in ordinal order: the same folder gives the same archive.</summary>
    private static async Task WriteFolderAsync(TarWriter writer, DirectoryInfo folder, string name, ArchiveCounts counts, CancellationToken ct)
    {
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/")
        {
            Mode = FilesArchive.SafeMode(folder.UnixFileMode, folder: true), ModificationTime = folder.LastWriteTimeUtc,
        }, ct);
        counts.Folder();
        foreach (var child in folder.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var childName = $"{name}/{child.Name}";
            if (child.LinkTarget is not null) counts.Skip(childName, "symbolic link");
            else if (child is DirectoryInfo sub) await WriteFolderAsync(writer, sub, childName, counts, ct);
            else if (child is FileInfo file)
            {
                await using var data = file.OpenRead();
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, childName)
                {
                    Mode = FilesArchive.SafeMode(file.UnixFileMode, folder: false), ModificationTime = file.LastWriteTimeUtc, DataStream = data,
                }, ct);
                counts.File(data.Length);
            }
        }
    }

    public static async Task<string> StageAsync(string siteFolder, string restoreId, Stream tar, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the process driver runs on Linux"); // file modes are Unix's
        RestoreLayout.ValidateRestoreId(restoreId);
        RequireFolder(siteFolder);
        var previous = Path.Combine(siteFolder, RestoreLayout.KeptPrevious(restoreId));
        if (Directory.Exists(previous))
            throw new StepFailedException(FailureKind.Permanent,
                $"restore {restoreId} is already swapped ({RestoreLayout.KeptPrevious(restoreId)} exists): unswap or discard it before staging again");
        var staging = Path.Combine(siteFolder, RestoreLayout.Staging(restoreId));
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        // Both areas are always staged: an area missing from the archive is restored as an empty folder.
        foreach (var area in RestoreLayout.Areas) Directory.CreateDirectory(Path.Combine(siteFolder, RestoreLayout.Staged(restoreId, area)));

        var counts = new ArchiveCounts();
        try
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (FilesArchive.IsMetadataOnly(entry)) continue;
                var target = Path.GetFullPath(Path.Combine(staging, FilesArchive.StagedPath(entry)));
                if (!target.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new StepFailedException(FailureKind.Permanent, $"the files archive is refused at entry '{entry.Name}': it leaves the staging folder");
                if (entry.EntryType == TarEntryType.Directory)
                {
                    Directory.CreateDirectory(target, FilesArchive.SafeMode(entry.Mode, folder: true));
                    counts.Folder();
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var create = new FileStreamOptions
                {
                    Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = FilesArchive.SafeMode(entry.Mode, folder: false),
                };
                await using (var file = new FileStream(target, create))
                    if (entry.DataStream is { } data) await data.CopyToAsync(file, ct);
                File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                counts.File(entry.Length);
            }
        }
        catch (Exception ex)
        {
            // A refused or broken archive leaves nothing staged (what came before the bad entry is not a restore).
            TryDelete(staging, Path.Combine(siteFolder, RestoreLayout.Folder(restoreId)), Path.Combine(siteFolder, RestoreLayout.Root));
            if (FilesArchive.Unreadable(ex) is { } unreadable) throw unreadable;
            throw;
        }
        return $"staged {counts.Describe()} in {RestoreLayout.Staging(restoreId)}; live files untouched";
    }

    public static string Swap(string siteFolder, string restoreId) => Run(siteFolder, restoreId, FileSwap.Swap);

    public static string Unswap(string siteFolder, string restoreId) => Run(siteFolder, restoreId, FileSwap.Unswap);

    public static string Discard(string siteFolder, string restoreId)
    {
        RestoreLayout.ValidateRestoreId(restoreId);
        var folder = Path.Combine(siteFolder, RestoreLayout.Folder(restoreId));
        if (!Directory.Exists(folder)) return $"{RestoreLayout.Folder(restoreId)} does not exist; nothing to discard";
        var states = Probe(siteFolder, restoreId);
        foreach (var (area, state) in RestoreLayout.Areas.Zip(states)) FileSwap.EnsureDiscardable(restoreId, area, state);
        Directory.Delete(folder, recursive: true);
        DeleteIfEmpty(Path.Combine(siteFolder, RestoreLayout.Root));
        return $"deleted {RestoreLayout.Folder(restoreId)}";
    }

    private static string Run(string siteFolder, string restoreId, Func<string, string, AreaState, AreaPlan> plan)
    {
        RestoreLayout.ValidateRestoreId(restoreId);
        RequireFolder(siteFolder);
        var states = Probe(siteFolder, restoreId);
        var (ops, summary) = FileSwap.Combine(RestoreLayout.Areas.Zip(states).Select(p => plan(restoreId, p.First, p.Second)).ToList());
        foreach (var op in ops) Apply(siteFolder, op);
        return summary;
    }

    private static IReadOnlyList<AreaState> Probe(string siteFolder, string restoreId) =>
        FileSwap.States(FileSwap.ProbePaths(restoreId).Select(p => Directory.Exists(Path.Combine(siteFolder, p))).ToList());

    private static void Apply(string siteFolder, FileOp op)
    {
        switch (op)
        {
            case FileOp.Move(var from, var to):
                var target = Path.Combine(siteFolder, to);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                Directory.Move(Path.Combine(siteFolder, from), target);
                break;
            case FileOp.CreateFolder(var path):
                Directory.CreateDirectory(Path.Combine(siteFolder, path));
                break;
            default:
                throw new InvalidOperationException($"unknown file operation {op}");
        }
    }

    /// <summary>
    /// Cleanup on the way out of a failure: the staging folder, then its parents if that left them empty. Its own
    /// trouble must not hide the failure being reported.
    /// </summary>
    private static void TryDelete(string staging, params string[] parentsIfEmpty)
    {
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            foreach (var parent in parentsIfEmpty) DeleteIfEmpty(parent);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void DeleteIfEmpty(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    private static void RequireFolder(string siteFolder)
    {
        if (!Directory.Exists(siteFolder))
            throw new StepFailedException(FailureKind.Permanent, $"site folder {siteFolder} does not exist");
    }
}
