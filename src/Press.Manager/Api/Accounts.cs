using Press.Core.Audit;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Api;

/// <summary>
/// Account changes, one implementation for <c>/api/users</c> and the users page: create a local account with a generated
/// password (shown once), disable/enable (disabling ends every session at once), reset a local password. Every change
/// is audited. Errors are Core's exceptions (the API turns them into ProblemDetails, the page into messages).
/// </summary>
public sealed class Accounts(UserStore store, SessionStore sessions, IAuditLog audit)
{
    public sealed record WithPassword(UserStore.UserRecord User, string Password);

    /// <summary>Every problem of a new account's name and role, per field.</summary>
    public static Dictionary<string, List<string>> Problems(string? name, string role)
    {
        var problems = new Dictionary<string, List<string>>();
        if (name is not null && UserNames.Problem(name) is { } problem) problems.AddAll("name", [problem]);
        if (!Roles.All.Contains(role)) problems.AddAll("role", [$"Unknown role '{role}': use {string.Join(", ", Roles.All)}."]);
        return problems;
    }

    /// <exception cref="ValidationException">A bad name or role.</exception>
    /// <exception cref="ConflictException">The name is taken.</exception>
    public async Task<WithPassword> CreateAsync(string name, string role, bool breakGlass, Actor actor, CancellationToken ct)
    {
        ValidationException.ThrowIfAny(Problems(name, role));
        var password = UsersApi.NewPassword();
        var user = await store.CreateLocalAsync(name, role, breakGlass, password, ct)
                   ?? throw new ConflictException($"An account named '{name}' exists already (GET /api/users lists them).");
        await audit.WriteAsync(actor.Did("user.create", target: user.Name,
            details: new Dictionary<string, string> { ["role"] = role, ["breakGlass"] = breakGlass ? "true" : "false" }), ct);
        return new WithPassword(user, password);
    }

    /// <returns>The account as it is now, and how many sessions ended.</returns>
    /// <exception cref="NotFoundException">No such account.</exception>
    /// <exception cref="ConflictException">Disabling one's own account.</exception>
    public async Task<(UserStore.UserRecord User, int SessionsEnded)> SetDisabledAsync(string name, bool disabled, Guid callerId, Actor actor,
        CancellationToken ct)
    {
        var user = await FindAsync(name, ct);
        if (disabled && user.Id == callerId) throw new ConflictException("You cannot disable your own account: ask another admin.");
        await store.SetDisabledAsync(user.Id, disabled, ct);
        var ended = disabled ? await sessions.EndAllOfAsync(user.Id, "disabled by " + actor.Name, ct) : 0;
        await audit.WriteAsync(actor.Did(disabled ? "user.disable" : "user.enable", target: user.Name,
            details: new Dictionary<string, string> { ["sessionsEnded"] = ended.ToString(System.Globalization.CultureInfo.InvariantCulture) }), ct);
        return ((await store.FindAsync(user.Id.ToString(), ct))!, ended);
    }

    /// <returns>The account and its new password (shown once); null when the account is not local (SSO: reset it at the provider).</returns>
    /// <exception cref="NotFoundException">No such account.</exception>
    public async Task<WithPassword?> ResetPasswordAsync(string name, Actor actor, CancellationToken ct)
    {
        var user = await FindAsync(name, ct);
        if (user.Kind != "local") return null;
        var password = UsersApi.NewPassword();
        await store.SetPasswordAsync(user.Id, password, ct);
        var ended = await sessions.EndAllOfAsync(user.Id, "password reset by " + actor.Name, ct);
        await audit.WriteAsync(actor.Did("user.reset-password", target: user.Name,
            details: new Dictionary<string, string> { ["sessionsEnded"] = ended.ToString(System.Globalization.CultureInfo.InvariantCulture) }), ct);
        return new WithPassword(user, password);
    }

    private async Task<UserStore.UserRecord> FindAsync(string name, CancellationToken ct) =>
        await store.FindAsync(name, ct) ?? throw new NotFoundException($"No account named '{name}' (GET /api/users lists them).");
}
