namespace Press.Core.Backups;

/// <summary>Why a backup was taken. The names are part of the API.</summary>
public enum BackupTrigger { Scheduled, Manual, PreDelete, PreRestore, PreUpgrade, PreMove }

/// <summary>
/// A backup's state, derived (never stored twice): Good once every part was uploaded and read back with the recorded
/// SHA-256; Failed when the job that took it failed; Pruned after retention removed its objects; otherwise Running.
/// </summary>
public enum BackupState { Running, Good, Failed, Pruned }

/// <summary>
/// One backup of one site. Its id is the id of the job that took it (a backup job, or the delete or restore job that
/// took one first), so a retried job continues the same backup rather than starting another.
/// </summary>
public sealed record Backup(
    Guid Id,
    Guid SiteId,
    string SiteName,
    BackupTrigger Trigger,
    BackupState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    IReadOnlyList<BackupPart> Parts,
    SchemaDumpInfo? Dump,
    BackupManifest? Manifest,
    BackupVerification? Verification)
{
    public BackupPart? Part(string name) => Parts.FirstOrDefault(p => p.Name == name);
}

/// <summary>One uploaded object of a backup, with what was counted while it streamed.</summary>
public sealed record BackupPart(string Name, string Key, long Size, string Sha256);

/// <summary>What the database dump recorded: versions, the row count of every table in the dump's snapshot, and how
/// the dump was written (null: before layouts were recorded, one gzip archive).</summary>
public sealed record SchemaDumpInfo(string ServerVersion, string DumpToolVersion, IReadOnlyDictionary<string, long> Tables,
    DumpLayout? Layout = null);

/// <summary>
/// How a backup's database was dumped (docs/architecture.md §6). Always a <c>pg_dump -Fc</c> archive in the
/// <see cref="BackupParts.Database"/> part; with <see cref="DataParts"/>, that archive holds everything but the rows
/// of the tables, and each data part is one more <c>pg_dump -Fc --data-only</c> archive of some of the tables, taken
/// in the same snapshot, so a restore can load them side by side.
/// </summary>
/// <param name="Compression">pg_dump's <c>--compress</c> value: <c>gzip</c> (before zstd) or e.g. <c>zstd:1</c>.</param>
public sealed record DumpLayout(string Compression, IReadOnlyList<string> DataParts)
{
    /// <summary>Backups taken before layouts were recorded: one archive, pg_dump's default gzip.</summary>
    public static DumpLayout Single(string compression) => new(compression, []);

    public static DumpLayout Legacy { get; } = Single("gzip");

    public bool Parallel => DataParts.Count > 0;
}

/// <summary>The result of restoring a backup into a scratch schema and comparing it with the manifest.</summary>
public sealed record BackupVerification(DateTimeOffset At, bool Ok, string Detail);

/// <summary>Part names and object keys of a backup; every part of a site lives under <see cref="SitePrefix"/>.</summary>
public static class BackupParts
{
    public const string Database = "database";
    public const string Files = "files";
    public const string Manifest = "manifest";
    /// <summary>The site's own site_config keys, sealed (docs/architecture.md §6).</summary>
    public const string Config = "config";

    public static IReadOnlyList<string> All { get; } = [Database, Files, Config, Manifest];

    /// <summary>Data parts of a parallel dump: <c>database-data-01</c>, … (<see cref="DumpLayout"/>).</summary>
    public const string DataPrefix = "database-data-";

    public static string DataPart(int number) => number is >= 1 and <= 99
        ? $"{DataPrefix}{number:00}"
        : throw new ArgumentOutOfRangeException(nameof(number), number, "data parts are numbered 01 to 99");

    public static bool IsDataPart(string part) =>
        part.Length == DataPrefix.Length + 2 && part.StartsWith(DataPrefix, StringComparison.Ordinal) && part[^2..].All(char.IsAsciiDigit) && part[^2..] != "00";

    public static string SitePrefix(Guid siteId) => $"sites/{siteId:N}/";

    public static string BackupPrefix(Guid siteId, Guid backupId) => $"{SitePrefix(siteId)}backups/{backupId:N}/";

    public static string Key(Guid siteId, Guid backupId, string part) => ObjectKeys.Validate(part switch
    {
        Database => $"{BackupPrefix(siteId, backupId)}database.dump",
        Files => $"{BackupPrefix(siteId, backupId)}files.tar",
        Manifest => $"{BackupPrefix(siteId, backupId)}manifest.json",
        Config => $"{BackupPrefix(siteId, backupId)}config.sealed",
        _ when IsDataPart(part) => $"{BackupPrefix(siteId, backupId)}{part}.dump",
        _ => throw new ArgumentException($"unknown backup part '{part}'", nameof(part)),
    });

    public static string FileExtension(string part) => part switch
    {
        Database => "dump",
        _ when IsDataPart(part) => "dump",
        Files => "tar",
        Config => "sealed",
        _ => "json",
    };
}
