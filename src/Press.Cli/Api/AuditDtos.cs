namespace Press.Cli.Api;

/// <summary>GET /api/audit/verify: the chain is intact, or the first entry that breaks it and why.</summary>
public sealed record AuditVerify(bool Intact, long Entries, long LegacyEntries, long? HeadId, string? HeadHash, long? FirstBrokenId, string? Problem);
