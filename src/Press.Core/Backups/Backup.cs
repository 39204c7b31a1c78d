namespace Press.Core.Backups;

/// <summary>Why a backup was taken. The names are part of the API.</summary>
public enum BackupTrigger { Scheduled, Manual, PreDelete, PreRestore, PreUpgrade }

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

/// <summary>What the database dump recorded: versions, and the row count of every table in the dump's snapshot.</summary>
public sealed record SchemaDumpInfo(string ServerVersion, string DumpToolVersion, IReadOnlyDictionary<string, long> Tables);

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

    public static string SitePrefix(Guid siteId) => $"sites/{siteId:N}/";

    public static string Key(Guid siteId, Guid backupId, string part) => ObjectKeys.Validate(part switch
    {
        Database => $"{SitePrefix(siteId)}backups/{backupId:N}/database.dump",
        Files => $"{SitePrefix(siteId)}backups/{backupId:N}/files.tar",
        Manifest => $"{SitePrefix(siteId)}backups/{backupId:N}/manifest.json",
        Config => $"{SitePrefix(siteId)}backups/{backupId:N}/config.sealed",
        _ => throw new ArgumentException($"unknown backup part '{part}'", nameof(part)),
    });

    public static string FileExtension(string part) => part switch
    {
        Database => "dump",
        Files => "tar",
        Config => "sealed",
        _ => "json",
    };
}
