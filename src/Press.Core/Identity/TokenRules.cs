namespace Press.Core.Identity;

/// <summary>Who asks to mint or list tokens: the role it acts with and, when it came with a token, that token.</summary>
/// <param name="TokenId">The caller's token; null for a password login (HTTP Basic).</param>
/// <param name="TokenExpiresAt">When the caller's token expires; null for a password login.</param>
public sealed record TokenCaller(Guid UserId, string Role, Guid? TokenId, DateTimeOffset? TokenExpiresAt);

/// <summary>A token to mint, decided by <see cref="TokenRules.Plan"/>.</summary>
public sealed record TokenPlan(string Name, string Role, DateTimeOffset ExpiresAt, Guid? ParentId);

/// <summary>
/// Which tokens a caller may list and revoke: all (<see cref="All"/>), the tree under one token (the token and every
/// token minted from it, at any depth), or one user's.
/// </summary>
public sealed record TokenScope(Guid? TreeOf, Guid? UserId)
{
    public static TokenScope All { get; } = new(null, null);
}

/// <summary>
/// The rules for API tokens. Every token expires: no later than <c>tokens.maxLifetimeDays</c> after it is minted, and
/// a token minted with another token no later than that one (and with its role or a lower one). A token remembers the
/// token that minted it, and revoking a token revokes every token minted from it. Admins see and revoke every token;
/// anyone else sees and revokes only the tree under the token it calls with (a password login: its own tokens).
/// </summary>
public static class TokenRules
{
    public const int MaxNameLength = 100;

    /// <summary>The token to mint, or every problem with the request (field, how to fix it).</summary>
    public static (TokenPlan? Plan, IReadOnlyList<(string Field, string Problem)> Problems) Plan(
        TokenCaller caller, string? name, string? role, int? expiresInDays, int maxLifetimeDays, DateTimeOffset now)
    {
        var problems = new List<(string, string)>();
        role ??= caller.Role;
        if (name is { Length: 0 or > MaxNameLength }) problems.Add(("name", $"'name' must be 1 to {MaxNameLength} characters."));
        if (!Roles.All.Contains(role)) problems.Add(("role", $"Unknown role '{role}': use {string.Join(", ", Roles.All)}."));
        else if (!Roles.Includes(caller.Role, role))
            problems.Add(("role", $"You are '{caller.Role}' and cannot mint a '{role}' token: a token mints only tokens of its own role or lower."));

        var longest = now.AddDays(maxLifetimeDays);
        if (caller.TokenExpiresAt is { } parentExpiry && parentExpiry < longest) longest = parentExpiry;
        DateTimeOffset expiresAt = longest;
        if (expiresInDays is { } days)
        {
            expiresAt = now.AddDays(days);
            if (days < 1 || days > maxLifetimeDays)
                problems.Add(("expiresInDays", $"'expiresInDays' must be between 1 and {maxLifetimeDays} (the setting tokens.maxLifetimeDays); " +
                                               "omit it for the longest allowed."));
            else if (caller.TokenExpiresAt is { } parent && expiresAt > parent)
                problems.Add(("expiresInDays", $"A token cannot outlive the token that mints it (yours expires {parent:u}): ask for at most " +
                                               $"{Math.Max(0, (int)Math.Floor((parent - now).TotalDays))} days, or omit 'expiresInDays' to get its expiry."));
        }
        return problems.Count > 0 || name is null
            ? (null, problems)
            : (new TokenPlan(name, role, expiresAt, caller.TokenId), problems);
    }

    /// <summary>What the caller may list and revoke.</summary>
    public static TokenScope ScopeOf(TokenCaller caller) =>
        Roles.Includes(caller.Role, Roles.Admin) ? TokenScope.All
        : caller.TokenId is { } id ? new TokenScope(id, null)
        : new TokenScope(null, caller.UserId);
}
