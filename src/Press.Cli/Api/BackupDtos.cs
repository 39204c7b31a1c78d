using System.Text.Json;

namespace Press.Cli.Api;

// Like sites and jobs, states and triggers stay plain strings: a newer server may add values.

/// <summary>GET /api/backups/{id}; its id is the id of the job that made it.</summary>
public sealed record Backup(
    Guid Id,
    string Site,
    string Trigger,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? ExpiresAt,
    long? SizeBytes,
    string? Error,
    BackupVerification? Verification,
    JsonElement? Manifest);

public sealed record BackupVerification(DateTimeOffset? At, bool Ok, string? Detail);

/// <summary>GET /api/sites/{name}/backups: newest first, plus whether the site lacks a recent good backup.</summary>
public sealed record BackupList(IReadOnlyList<Backup> Items, DateTimeOffset? NewestGoodAt, bool Stale);

/// <summary>
/// GET /api/backups/{id}/download?part=…: where to fetch one part. A relative <see cref="Url"/> is served by the
/// manager (bearer token); an absolute one is a presigned object-store link (no token).
/// </summary>
public sealed record BackupDownloadLink(string? Part, string Url, DateTimeOffset? ExpiresAt);

public sealed record RestoreSiteRequest(Guid BackupId);

public static class BackupStates
{
    public const string Good = "Good";
}

/// <summary>The parts a backup can have, with the file extension a download gets by default.</summary>
public static class BackupParts
{
    public const string Database = "database";
    public const string Files = "files";
    public const string Manifest = "manifest";

    public static readonly string[] All = [Database, Files, Manifest];

    public static string Extension(string part) => part switch
    {
        Database => "dump",
        Files => "tar",
        Manifest => "json",
        _ => "bin",
    };
}

/// <summary>What <c>backup download --json</c> prints (the CLI's own document: the part itself went to disk).</summary>
public sealed record DownloadResult(Guid Backup, string Part, string Path, long Bytes, string Sha256, bool Verified);
