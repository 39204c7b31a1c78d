namespace Press.Core.Identity;

/// <summary>
/// <c>Press:Oidc</c>: the OpenID Connect issuer people log in with (e.g. a Keycloak realm). Unset <see cref="Authority"/>
/// means local accounts only. The per-site SSO clients (a later part) register at the same issuer with the same client.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Press:Oidc";

    /// <summary>The issuer, e.g. <c>https://sso.example.com/realms/press</c>; its discovery document must name exactly it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>From <c>Press__Oidc__ClientSecret</c> or <c>…_FILE</c>; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The <c>aud</c> a bearer JWT must carry (default: <see cref="ClientId"/>; Keycloak adds it with an audience mapper).</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Where the IdP puts a person's roles, as a dotted path into the token's JSON: Keycloak's realm roles
    /// (<c>realm_access.roles</c>, the default), or client roles (<c>resource_access.press-manager.roles</c>), or a flat claim.
    /// </summary>
    public string RolesClaim { get; set; } = "realm_access.roles";

    /// <summary>
    /// Press role → the IdP roles that grant it, comma-separated (<c>Press__Oidc__RoleMap__admin=press-admins,ops</c>).
    /// Unset: each Press role is granted by the IdP role of the same name. A person gets the highest role granted.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Scopes asked for at login, besides <c>openid</c>.</summary>
    public string Scopes { get; set; } = "profile email";

    /// <summary>How often the issuer's discovery document and keys are fetched again (and so how soon an outage is seen).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one probe may take before the issuer counts as down.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A probe younger than this is trusted by the login page as is; an older one is repeated first.</summary>
    public TimeSpan ProbeFreshFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of every back-channel call (token endpoint, userinfo): far below HttpClient's 100 s default.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Tolerated clock difference when checking a token's lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How sites get their own SSO client at this issuer (docs/architecture.md §7): <c>none</c> (the default),
    /// <c>keycloak-admin</c> (Keycloak's admin REST API with this client's service account, from the client-credentials
    /// grant) or <c>dcr</c> (RFC 7591 dynamic client registration with <see cref="InitialAccessToken"/>).
    /// </summary>
    public string Provisioning { get; set; } = "none";

    /// <summary>DCR's initial access token (<c>Press__Oidc__InitialAccessToken</c> or <c>…_FILE</c>); never logged.</summary>
    public string? InitialAccessToken { get; set; }

    public static readonly IReadOnlyList<string> ProvisioningModes = ["none", "keycloak-admin", "dcr"];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The audience bearer JWTs must carry.</summary>
    public string? ExpectedAudience => string.IsNullOrWhiteSpace(Audience) ? ClientId : Audience;

    /// <summary>Every problem with the settings (empty when unset: local accounts only), each saying how to fix it.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!ProvisioningModes.Contains(Provisioning))
            problems.Add($"Press__Oidc__Provisioning '{Provisioning}' is unknown: use one of {string.Join(", ", ProvisioningModes)}.");
        else if (Provisioning != "none" && !IsConfigured)
            problems.Add($"Press__Oidc__Provisioning={Provisioning} needs the issuer: set Press__Oidc__Authority.");
        if (Provisioning == "dcr" && string.IsNullOrWhiteSpace(InitialAccessToken))
            problems.Add("Press__Oidc__Provisioning=dcr needs Press__Oidc__InitialAccessToken or Press__Oidc__InitialAccessToken_FILE (the issuer's initial access token for client registration).");
        if (!IsConfigured) return problems;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            problems.Add($"Press__Oidc__Authority '{Authority}' is not an absolute http(s) URL: give the issuer, e.g. https://sso.example.com/realms/press.");
        else if (authority.Scheme == "http" && !authority.IsLoopback)
            problems.Add($"Press__Oidc__Authority '{Authority}' is plain http on a remote host: use https (http is accepted for loopback only).");
        if (string.IsNullOrWhiteSpace(ClientId)) problems.Add("Set Press__Oidc__ClientId (e.g. press-manager).");
        if (string.IsNullOrWhiteSpace(ClientSecret)) problems.Add("Set Press__Oidc__ClientSecret or Press__Oidc__ClientSecret_FILE (the client's secret at the issuer).");
        if (string.IsNullOrWhiteSpace(RolesClaim)) problems.Add("Press__Oidc__RolesClaim is empty: name where the roles are, e.g. realm_access.roles.");
        foreach (var key in RoleMap.Keys.Where(k => !Roles.All.Contains(k.ToLowerInvariant())))
            problems.Add($"Press__Oidc__RoleMap__{key}: '{key}' is not a Press role; use {string.Join(", ", Roles.All)}.");
        foreach (var (name, value) in new[] { ("ProbeInterval", ProbeInterval), ("ProbeTimeout", ProbeTimeout), ("BackchannelTimeout", BackchannelTimeout) })
            if (value <= TimeSpan.Zero) problems.Add($"Press__Oidc__{name} must be positive.");
        return problems;
    }
}

/// <summary><c>Press:Sessions</c>: browser sessions, checked against the session table on every request.</summary>
public sealed class SessionOptions
{
    public const string Section = "Press:Sessions";

    /// <summary>A session unused this long ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after login, however busy.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Secure, <c>__Host-</c>-prefixed cookies; unset: when Traefik serves Press with TLS.</summary>
    public bool? SecureCookies { get; set; }

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (IdleTimeout <= TimeSpan.Zero) problems.Add("Press__Sessions__IdleTimeout must be positive (e.g. 00:30:00).");
        if (AbsoluteLifetime < IdleTimeout) problems.Add("Press__Sessions__AbsoluteLifetime must be at least Press__Sessions__IdleTimeout.");
        return problems;
    }
}
