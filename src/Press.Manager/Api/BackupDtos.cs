using Press.Core.Backups;

namespace Press.Manager.Api;

public sealed record BackupVerificationDto(DateTimeOffset At, bool Ok, string Detail);

/// <param name="SizeBytes">The manifest's total size, or the sum of the parts recorded so far; null before any part.</param>
/// <param name="Manifest">The backup's manifest.json as stored; null until the backup is good.</param>
public sealed record BackupDto(
    Guid Id, string Site, BackupTrigger Trigger, BackupState State, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    DateTimeOffset ExpiresAt, long? SizeBytes, string? Error, BackupVerificationDto? Verification, BackupManifest? Manifest)
{
    public static BackupDto From(Backup b) => new(b.Id, b.SiteName, b.Trigger, b.State, b.CreatedAt, b.FinishedAt, b.ExpiresAt,
        b.Manifest?.TotalSize ?? (b.Parts.Count > 0 ? b.Parts.Sum(p => p.Size) : null), b.Error,
        b.Verification is { } v ? new BackupVerificationDto(v.At, v.Ok, v.Detail) : null, b.Manifest);
}

/// <param name="NewestGoodAt">When the site's newest good backup finished; null when it has none.</param>
/// <param name="Stale">The site (Active, Suspended or Broken) has no good backup younger than backups.staleAfterHours.</param>
/// <param name="RollbackUntil">The site's latest restore in place can be rolled back until then; null when there is none to roll back.</param>
public sealed record BackupListDto(IReadOnlyList<BackupDto> Items, DateTimeOffset? NewestGoodAt, bool Stale, DateTimeOffset? RollbackUntil);

/// <param name="Url">A presigned link to GET the part (S3), or the manager's own relative
/// <c>/api/backups/{id}/parts/{part}</c> (folder store; send your token with it).</param>
/// <param name="ExpiresAt">When a presigned link stops working.</param>
public sealed record BackupDownloadDto(string Part, string Url, DateTimeOffset ExpiresAt);

public sealed record RestoreRequest(Guid BackupId);
