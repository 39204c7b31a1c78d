using System.Formats.Tar;
using Press.Core.Jobs;

namespace Press.Infrastructure.Runtime.Files;

/// <summary>
/// The rules of a site's files archive (one tar, entries relative to the site folder: <c>public/files/…</c> and
/// <c>private/files/…</c>, folders included, nothing else) — shared by both drivers so their archives are the same.
/// </summary>
public static class FilesArchive
{
    /// <summary>Folder entries are written with this mode and, in Docker, the bench user as owner.</summary>
    public const UnixFileMode FolderMode = (UnixFileMode)0b111_101_101; // 0755

    /// <summary>
    /// The entry's path relative to the site folder (no trailing slash) when it may be staged; otherwise a Permanent
    /// failure naming the entry. Only folders and regular files under public/files/ or private/files/ pass: no
    /// absolute path, no empty, "." or ".." segment, no link or device — the archive may come from anywhere.
    /// </summary>
    public static string StagedPath(TarEntry entry)
    {
        var name = entry.Name;
        if (entry.EntryType is not (TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            throw Refused(name, $"it is a {entry.EntryType} entry; only folders and regular files are restored");
        if (name.StartsWith('/')) throw Refused(name, "it is an absolute path");
        if (name.Contains('\0')) throw Refused(name, "it contains a NUL character");
        var trimmed = entry.EntryType == TarEntryType.Directory && name.EndsWith('/') ? name[..^1] : name;
        var segments = trimmed.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
            throw Refused(name, "it has an empty, '.' or '..' path segment");
        if (segments.Length < 2 || segments[0] is not ("public" or "private") || segments[1] != "files")
            throw Refused(name, "it is not under public/files/ or private/files/");
        if (segments.Length == 2 && entry.EntryType != TarEntryType.Directory)
            throw Refused(name, "public/files and private/files must be folders");
        return trimmed;
    }

    /// <summary>Entries that describe the archive rather than a file (PAX global headers); they are passed over.</summary>
    public static bool IsMetadataOnly(TarEntry entry) => entry.EntryType == TarEntryType.GlobalExtendedAttributes;

    /// <summary>Permissions kept from the archive, without set-id or sticky bits; the owner can always read and write.</summary>
    public static UnixFileMode SafeMode(UnixFileMode mode, bool folder) =>
        (mode & (UnixFileMode)0b111_111_111) | UnixFileMode.UserRead | UnixFileMode.UserWrite | (folder ? UnixFileMode.UserExecute : 0);

    /// <summary>A tar that cannot be read (corrupt, truncated) as a Permanent failure; null for any other error.</summary>
    public static StepFailedException? Unreadable(Exception ex) =>
        ex is InvalidDataException or EndOfStreamException or FormatException
            ? new StepFailedException(FailureKind.Permanent, $"the files archive is not a readable tar: {ex.Message}", ex)
            : null;

    private static StepFailedException Refused(string name, string why) =>
        new(FailureKind.Permanent,
            $"the files archive is refused at entry '{name}': {why}. A files archive holds only folders and regular files under public/files/ and private/files/.");
}

/// <summary>Counts of what an export or a staging moved, for the step's message.</summary>
public sealed class ArchiveCounts
{
    public int Files { get; private set; }
    public int Folders { get; private set; }
    public long Bytes { get; private set; }
    private readonly List<string> _skipped = [];

    public void File(long bytes)
    {
        Files++;
        Bytes += bytes;
    }

    public void Folder() => Folders++;

    /// <summary>An entry left out (a symbolic link, a device…), named in the message.</summary>
    public void Skip(string name, string kind) => _skipped.Add($"{name} ({kind})");

    public string Describe() =>
        $"{Files} file{(Files == 1 ? "" : "s")} ({Size(Bytes)}) in {Folders} folder{(Folders == 1 ? "" : "s")}" +
        (_skipped.Count == 0 ? ""
            : $"; left out {_skipped.Count} entr{(_skipped.Count == 1 ? "y" : "ies")} that {(_skipped.Count == 1 ? "is" : "are")} neither file nor folder: " +
              string.Join(", ", _skipped.Take(5)) + (_skipped.Count > 5 ? ", …" : ""));

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
