using Press.Core.Audit;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Auth;

/// <summary>
/// One local (password) login, for the login form and HTTP Basic alike: the throttle (per account and per source
/// address: <see cref="LoginThrottle"/>), the password check (a dummy hash for unknown names), the rules of
/// <see cref="LocalLogin"/> against the state of single sign-on, the metric, a log line for every attempt (never the
/// password; the name only when it names an account), and an audit entry for every successful one.
/// </summary>
public sealed partial class LocalLoginService(IdentityStore identity, LoginThrottle throttle, SsoMonitor sso, LoginMetrics metrics,
    IAuditLog audit, AdminOptions admin, ILogger<LocalLoginService> logger)
{
    public sealed record Result(LocalLoginOutcome Outcome, LocalAccount? Account, TimeSpan? RetryAfter);

    /// <param name="method"><c>local</c> (the form) or <c>basic</c>.</param>
    public async Task<Result> LoginAsync(string userName, string password, Caller caller, string method, CancellationToken ct)
    {
        var address = LoginThrottle.AddressKey(caller.Address);
        if (throttle.RetryAfter(userName, address) is { } wait)
        {
            // Not checked at all while blocked: a right guess now would not be told apart from a wrong one.
            metrics.Login(method, LocalLoginOutcome.Throttled.Label());
            LogThrottled(logger, method, address, (int)Math.Ceiling(wait.TotalSeconds));
            return new Result(LocalLoginOutcome.Throttled, null, wait);
        }
        var (account, right) = await identity.CheckLocalAsync(userName, password, ct);
        var ssoState = await sso.CurrentAsync(ct);
        if (account is { Bootstrap: true, BreakGlass: true } && admin.OnlyWhenSsoDown && ssoState == SsoState.Up)
            account = account with { BreakGlass = LocalLogin.BootstrapAdminIsBreakGlass(true, await identity.SsoAdminExistsAsync(ct)) };
        var outcome = LocalLogin.Decide(account, right, ssoState);
        metrics.Login(method, outcome.Label());
        if (outcome == LocalLoginOutcome.WrongCredentials)
        {
            throttle.Failed(userName, address);
            LogFailed(logger, method, account is null ? "(unknown account)" : userName, address);
            await AuditFailureAsync(account is null ? UnknownAccount : userName, account, method, outcome, ssoState, caller, ct);
            return new Result(outcome, null, null);
        }
        throttle.Succeeded(userName);
        if (outcome != LocalLoginOutcome.Success)
        {
            LogRefused(logger, method, userName, address, outcome.Label());
            await AuditFailureAsync(userName, account, method, outcome, ssoState, caller, ct);
            return new Result(outcome, account, null);
        }
        LogSucceeded(logger, method, userName, address, account!.BreakGlass, ssoState.ToString());
        await identity.MarkLoginAsync(account.Id, ct);
        await audit.WriteAsync(new AuditEntry(userName, "login.local", null, account.Id.ToString(), new Dictionary<string, string>
        {
            ["method"] = method, ["sso"] = ssoState.ToString(), ["breakGlass"] = account.BreakGlass ? "true" : "false",
        }, caller.Address?.ToString()), ct);
        return new Result(outcome, account, null);
    }

    /// <summary>
    /// A name no account has is never recorded: people type their password into the name field. Throttled attempts
    /// are not audited (only counted): the throttle is what keeps an anonymous caller from growing the log at will.
    /// </summary>
    private const string UnknownAccount = "(unknown account)";

    private Task AuditFailureAsync(string actor, LocalAccount? account, string method, LocalLoginOutcome outcome, SsoState sso, Caller caller,
        CancellationToken ct) =>
        audit.WriteAsync(new AuditEntry(actor, "login.local.failed", null, account?.Id.ToString(), new Dictionary<string, string>
        {
            ["method"] = method, ["outcome"] = outcome.Label(), ["sso"] = sso.ToString(),
        }, caller.Address?.ToString()), ct);

    [LoggerMessage(LogLevel.Warning, "Local login ({Method}) throttled for {Address}: retry in {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string method, string address, int seconds);

    [LoggerMessage(LogLevel.Information, "Local login ({Method}) failed for {Account} from {Address}: wrong user name or password")]
    private static partial void LogFailed(ILogger logger, string method, string account, string address);

    [LoggerMessage(LogLevel.Information, "Local login ({Method}) refused for {Account} from {Address}: {Outcome}")]
    private static partial void LogRefused(ILogger logger, string method, string account, string address, string outcome);

    [LoggerMessage(LogLevel.Information, "Local login ({Method}) succeeded for {Account} from {Address} (break-glass {BreakGlass}, SSO {Sso})")]
    private static partial void LogSucceeded(ILogger logger, string method, string account, string address, bool breakGlass, string sso);
}
