using Press.Core.Usage;

namespace Press.Infrastructure.Runtime.Files;

/// <summary>
/// The size of a site's files (docs/architecture.md §15): the bytes of the regular files under <c>public/files</c> and
/// <c>private/files</c> of its folder, read by Press from outside the site's code. Links are skipped, never followed:
/// a site could otherwise point one at any file of the host and have Press count (or walk) it. Written here rather than
/// by running <c>du</c>: no process to start per site, and no tool whose output a site could influence.
/// </summary>
public static class FolderSize
{
    public static readonly string[] Areas = ["public/files", "private/files"];

    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint, // symbolic links, to files and to folders
        IgnoreInaccessible = true,
        ReturnSpecialDirectories = false,
    };

    public static FilesUsage Measure(string siteFolder)
    {
        if (!Directory.Exists(siteFolder)) return FilesUsage.Unmeasured($"the site folder {siteFolder} does not exist");
        long bytes = 0;
        foreach (var area in Areas)
        {
            var folder = Path.Combine(siteFolder, area);
            if (new DirectoryInfo(folder) is not { Exists: true } info || info.LinkTarget is not null) continue;
            bytes += new DirectoryInfo(folder).EnumerateFiles("*", Walk).Sum(f => f.Length);
        }
        return new FilesUsage(bytes, null);
    }
}
