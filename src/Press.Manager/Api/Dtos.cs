using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Api;

// What the API returns. AppVersions: what the site's runtime last reported (bench version), null until it did.
// Secrets (site passwords, token hashes) have no field here, so they cannot leak by accident.

/// <summary>The site's runner image (docs/architecture.md §18): what it is made from and the ID the runtime reported;
/// null when the site has none of its own (the setting runtime.image decides).</summary>
public sealed record ImageDto(string Reference, string? Id);

public sealed record LocationDto(string Database, string Schema);

public sealed record RuntimeDto(string Driver, bool Served, string? Reason);

public sealed record SiteDto(
    string Name, SiteState State, IReadOnlyList<string> Apps, LocationDto Location, RuntimeDto Runtime,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt, DateTimeOffset? PurgeAfter,
    DateTimeOffset? PurgedAt, Guid? ActiveJobId, IReadOnlyList<string> Domains, DateTimeOffset? NewestBackupAt, bool BackupStale,
    IReadOnlyDictionary<string, string>? AppVersions, ImageDto? Image)
{
    /// <param name="staleAfterHours">The setting backups.staleAfterHours, for <see cref="BackupStale"/>.</param>
    public static SiteDto From(SiteQueries.SiteView view, ISiteRuntime runtime, int staleAfterHours, DateTimeOffset now)
    {
        var s = view.Site;
        var status = s.State is SiteState.Active ? runtime.Describe(s) : new RuntimeStatus(runtime.Driver, false, $"not served: site is {s.State}");
        return new SiteDto(s.Name, s.State, s.Apps, new LocationDto(s.Location.Database, s.Location.Schema),
            new RuntimeDto(status.Driver, status.Served, status.Reason), s.CreatedAt, s.UpdatedAt, s.DeletedAt,
            s.PurgeAfter, s.PurgedAt, view.ActiveJobId, view.Domains, view.NewestBackupAt,
            Press.Infrastructure.Health.BackupStaleness.IsStale(s.State, s.CreatedAt, view.NewestBackupAt, now, staleAfterHours),
            s.AppVersions, s.Image is { } image ? new ImageDto(image.Reference, image.Id) : null);
    }
}

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public sealed record ListDto<T>(IReadOnlyList<T> Items);

public sealed record StepDto(
    int Ordinal, string Name, StepState State, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    double? DurationMs, string? Output, string? Error)
{
    public static StepDto From(JobStep s) => new(s.Ordinal, s.Name, s.State, s.Attempts, s.StartedAt, s.FinishedAt,
        s is { StartedAt: { } a, FinishedAt: { } b } && b >= a ? (b - a).TotalMilliseconds : null, s.Output, s.Error);
}

public sealed record JobDto(
    Guid Id, JobKind Kind, JobState State, string Site, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? FailedStep, string? Error, IReadOnlyList<StepDto> Steps)
{
    public static JobDto From(Job j) => new(j.Id, j.Kind, j.State, j.SiteName, j.CreatedBy, j.CreatedAt, j.StartedAt,
        j.FinishedAt, j.FailedStep, j.Error, j.Steps.Select(StepDto.From).ToList());
}

public sealed record StepEventDto(Guid JobId, int Ordinal, string Name, StepState State, int Attempts,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? DurationMs, string? Output, string? Error)
{
    public static StepEventDto From(Guid jobId, StepDto s) =>
        new(jobId, s.Ordinal, s.Name, s.State, s.Attempts, s.StartedAt, s.FinishedAt, s.DurationMs, s.Output, s.Error);
}

public sealed record AuditDto(long Id, DateTimeOffset At, string Actor, string Action, string? Site, string? Target,
    System.Text.Json.JsonElement? Details, string? SourceIp)
{
    public static AuditDto From(AuditRecord r) => new(r.Id, r.At, r.Actor, r.Action, r.SiteName, r.Target,
        r.DetailsJson is null ? null : System.Text.Json.JsonDocument.Parse(r.DetailsJson).RootElement.Clone(), r.SourceIp);
}

/// <summary>The audit chain as verified: intact, or the first broken entry and why.</summary>
public sealed record AuditVerifyDto(bool Intact, long Entries, long LegacyEntries, long? HeadId, string? HeadHash, long? FirstBrokenId, string? Problem)
{
    public static AuditVerifyDto From(AuditChainReport r) =>
        new(r.Intact, r.Entries, r.LegacyEntries, r.HeadId, r.HeadHash, r.FirstBroken?.Id, r.FirstBroken?.Reason);
}

/// <summary>One line of <c>GET /api/audit/export</c>: the entry and its chain links (hex; null before the chain).</summary>
public sealed record AuditExportLineDto(long Id, DateTimeOffset At, string Actor, string Action, string? Site, string? Target,
    System.Text.Json.JsonElement? Details, string? SourceIp, string? PrevHash, string? Hash)
{
    public static AuditExportLineDto From(AuditLink l)
    {
        var a = AuditDto.From(l.Record);
        return new(a.Id, a.At, a.Actor, a.Action, a.Site, a.Target, a.Details, a.SourceIp,
            l.PrevHash is null ? null : AuditChain.Hex(l.PrevHash), l.Hash is null ? null : AuditChain.Hex(l.Hash));
    }
}

/// <param name="FromBackup">Create the site holding this good backup's data (its apps come from the backup).</param>
public sealed record CreateSiteRequest(string Name, IReadOnlyList<string>? Apps = null, Guid? FromBackup = null);

public sealed record CreateTokenRequest(string Name, string? Role = null, int? ExpiresInDays = null);

public sealed record TokenDto(Guid Id, string Name, string Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, Guid? ParentId);

/// <summary>A token as listed: never its secret; <c>Hint</c> is its first characters.</summary>
public sealed record TokenInfoDto(Guid Id, string Name, string Role, string Hint, string User, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid? ParentId)
{
    public static TokenInfoDto From(Press.Infrastructure.Postgres.IdentityStore.TokenRecord t) =>
        new(t.Id, t.Name, t.Role, t.Hint, t.UserName, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.ParentId);
}

/// <summary>How many tokens a revocation revoked now: the token and those minted under it (0: all already were).</summary>
public sealed record TokenRevokedDto(Guid Id, int Revoked);

public sealed record SettingDto(string Key, string Value, bool IsDefault);

public sealed record SetSettingRequest(string Value);
