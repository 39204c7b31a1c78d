namespace Press.Cli.Api;

/// <summary>POST /api/users.</summary>
public sealed record CreateUserRequest(string Name, string? Role, bool? BreakGlass);

/// <summary>An account: local, or a single sign-on person (issuer and subject).</summary>
public sealed record User(Guid Id, string Name, string Kind, string Role, bool BreakGlass, bool Disabled, string? Issuer, string? Subject,
    string? DisplayName, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt);

public sealed record UserList(IReadOnlyList<User> Items);

/// <summary>A local account with its generated password: the only time the password is shown.</summary>
public sealed record UserWithPassword(User User, string Password);

public sealed record UserDisabled(User User, int SessionsEnded);

/// <summary>A live browser session.</summary>
public sealed record Session(Guid Id, string User, string Role, string Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt, string? SourceIp);

public sealed record SessionList(IReadOnlyList<Session> Items);

public sealed record SessionEnded(Guid Id);
