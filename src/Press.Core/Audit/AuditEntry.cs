namespace Press.Core.Audit;

/// <summary>One mutation: who did what to which target, when and from where. Append-only.</summary>
public sealed record AuditEntry(
    string Actor,
    string Action,
    string? SiteName,
    string? Target,
    IReadOnlyDictionary<string, string>? Details,
    string? SourceIp);

/// <summary>Who is asking, for authorization and the audit trail.</summary>
public sealed record Actor(string Name, string? SourceIp)
{
    public static Actor System(string what) => new($"system:{what}", null);

    public AuditEntry Did(string action, string? siteName = null, string? target = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        new(Name, action, siteName, target, details, SourceIp);
}

/// <summary>An audit event as stored.</summary>
public sealed record AuditRecord(long Id, DateTimeOffset At, string Actor, string Action, string? SiteName, string? Target,
    string? DetailsJson, string? SourceIp);
