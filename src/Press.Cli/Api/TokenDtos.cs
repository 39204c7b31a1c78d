namespace Press.Cli.Api;

/// <summary>POST /api/tokens. Null fields are left out: the server then uses the caller's role and the longest allowed life.</summary>
public sealed record CreateTokenRequest(string Name, string? Role, int? ExpiresInDays);

/// <summary>A minted token: the only time its secret is shown.</summary>
public sealed record MintedToken(Guid Id, string Name, string Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, Guid? ParentId);

/// <summary>A token as listed: never its secret.</summary>
public sealed record TokenInfo(Guid Id, string Name, string Role, string Hint, string User, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid? ParentId);

public sealed record TokenList(IReadOnlyList<TokenInfo> Items);

public sealed record TokenRevoked(Guid Id, int Revoked);
