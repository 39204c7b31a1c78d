namespace Press.Core.Identity;

/// <summary>The state of single sign-on as the login page sees it.</summary>
public enum SsoState
{
    /// <summary>No issuer configured: local accounts are the only way in.</summary>
    NotConfigured,
    /// <summary>The issuer answered its last probe: people log in through it.</summary>
    Up,
    /// <summary>The issuer did not answer: every enabled local account may log in.</summary>
    Down,
}

/// <summary>A local account as the login rules need it.</summary>
/// <param name="BreakGlass">May log in locally even while single sign-on works.</param>
public sealed record LocalAccount(Guid Id, string Name, string Role, bool Disabled, bool BreakGlass, bool Bootstrap = false);

/// <summary>What became of a local (password) login; the metric label is <see cref="Label"/>.</summary>
public enum LocalLoginOutcome { Success, WrongCredentials, Disabled, SsoRequired, Throttled }

/// <summary>
/// Who may log in with a local password. Without an issuer, or while it is down, every enabled local account; while
/// single sign-on works, only break-glass accounts (everyone else uses the IdP, which enforces its own MFA and policies).
/// The bootstrap admin is break-glass, unless <c>Press__Admin__OnlyWhenSsoDown</c> is set and an SSO admin exists:
/// then it is kept for emergencies (the IdP is down) only.
/// </summary>
public static class LocalLogin
{
    /// <param name="passwordRight">The password matched (checked whether or not the account exists: same cost).</param>
    public static LocalLoginOutcome Decide(LocalAccount? account, bool passwordRight, SsoState sso)
    {
        if (account is null || !passwordRight) return LocalLoginOutcome.WrongCredentials;
        if (account.Disabled) return LocalLoginOutcome.Disabled;
        if (sso == SsoState.Up && !account.BreakGlass) return LocalLoginOutcome.SsoRequired;
        return LocalLoginOutcome.Success;
    }

    /// <summary>Whether the bootstrap admin counts as break-glass now.</summary>
    public static bool BootstrapAdminIsBreakGlass(bool onlyWhenSsoDown, bool ssoAdminExists) => !(onlyWhenSsoDown && ssoAdminExists);

    public static string Label(this LocalLoginOutcome outcome) => outcome switch
    {
        LocalLoginOutcome.Success => "success",
        LocalLoginOutcome.WrongCredentials => "failure",
        LocalLoginOutcome.Disabled => "disabled",
        LocalLoginOutcome.SsoRequired => "sso_required",
        LocalLoginOutcome.Throttled => "throttled",
        _ => "failure",
    };

    /// <summary>What the person is told: never whether the name exists, unless they knew the password.</summary>
    public static string Message(this LocalLoginOutcome outcome) => outcome switch
    {
        LocalLoginOutcome.WrongCredentials => "Wrong user name or password.",
        LocalLoginOutcome.Disabled => "This account is disabled: ask an admin.",
        LocalLoginOutcome.SsoRequired => "Single sign-on is working: log in with it. Local logins are for break-glass accounts while it works.",
        LocalLoginOutcome.Throttled => "Too many failed logins: wait and try again.",
        _ => "",
    };
}

/// <summary>Names of local accounts: short, lower-case, no colon or slash (those mark SSO people and tokens in the audit log).</summary>
public static class UserNames
{
    public const int MaxLength = 64;

    public static string? Problem(string? name) =>
        name is null or { Length: 0 } ? "'name' is required, e.g. \"alice\"."
        : name.Length > MaxLength ? $"'name' must be at most {MaxLength} characters."
        : !char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]) ? "'name' must start with a lower-case letter or a digit."
        : name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_' or '@'))
            ? "'name' may hold only a-z, 0-9, '.', '-', '_' and '@'."
        : null;

    /// <summary>An SSO person's Press name: issuer and subject (never the e-mail, which the IdP may let people change).</summary>
    public static string Sso(string issuer, string subject) => $"sso:{subject}@{issuer}";

    /// <summary>A token's actor in the audit log: its owner and the token.</summary>
    public static string Token(string owner, Guid tokenId) => $"{owner}/token:{tokenId}";
}
