using System.Security.Claims;
using Press.Core.Audit;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// API tokens, one implementation for <c>/api/tokens</c> and the tokens page: mint by <see cref="TokenRules"/>, list
/// what the caller may see, revoke with every token minted under it. Every mint and revocation is audited.
/// </summary>
public sealed class TokenCommands(IdentityStore identity, ISettingsStore settings, IAuditLog audit, TimeProvider time)
{
    public static TokenCaller CallerOf(ClaimsPrincipal user) => new(user.UserId(), user.Role(), user.TokenId(), user.TokenExpiresAt());

    /// <returns>The minted token (its secret shown once); null when the calling token was revoked meanwhile.</returns>
    /// <exception cref="ValidationException">The plan breaks a rule (name, role above the caller's, lifetime).</exception>
    public async Task<IdentityStore.MintedToken?> MintAsync(ClaimsPrincipal user, Actor actor, string? name, string? role, int? days, CancellationToken ct)
    {
        var max = (await settings.GetAsync(ct)).TokenMaxLifetimeDays;
        var (plan, problems) = TokenRules.Plan(CallerOf(user), name, role, days, max, time.GetUtcNow());
        if (plan is null)
        {
            var byField = new Dictionary<string, List<string>>();
            foreach (var (field, problem) in problems) byField.AddAll(field, [problem]);
            throw new ValidationException(byField);
        }
        var minted = await identity.MintAsync(user.UserId(), plan, ct);
        if (minted is null) return null;
        await audit.WriteAsync(actor.Did("token.create", target: minted.Id.ToString(), details: Details(user,
            ("name", minted.Name), ("role", minted.Role), ("expiresAt", minted.ExpiresAt.ToString("O")), ("parentId", minted.ParentId?.ToString()))), ct);
        return minted;
    }

    public Task<IReadOnlyList<IdentityStore.TokenRecord>> ListAsync(ClaimsPrincipal user, CancellationToken ct) =>
        identity.ListTokensAsync(TokenRules.ScopeOf(CallerOf(user)), ct);

    /// <returns>How many tokens were revoked now.</returns>
    /// <exception cref="NotFoundException">No such token among those the caller can see.</exception>
    public async Task<int> RevokeAsync(Guid id, ClaimsPrincipal user, Actor actor, CancellationToken ct)
    {
        var revoked = await identity.RevokeAsync(id, TokenRules.ScopeOf(CallerOf(user)), ct)
                      ?? throw new NotFoundException($"No token {id} among the tokens you can see (GET /api/tokens lists them).");
        await audit.WriteAsync(actor.Did("token.revoke", target: id.ToString(), details: Details(user, ("revoked", revoked.ToString()))), ct);
        return revoked;
    }

    /// <summary>Audit details, with the token the caller used (none: a password or page login).</summary>
    private static Dictionary<string, string> Details(ClaimsPrincipal user, params (string Key, string? Value)[] values)
    {
        var details = values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!);
        details["byToken"] = user.TokenId()?.ToString() ?? "password";
        return details;
    }
}
