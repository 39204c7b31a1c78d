namespace Press.Cli.Api;

/// <summary>RFC 7807 problem details as Press sends them (with validation errors and a conflicting job).</summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    Dictionary<string, string[]>? Errors,
    Guid? JobId);
