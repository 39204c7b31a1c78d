using System.Diagnostics.Metrics;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// <c>press_logins_total{method,outcome}</c> and <c>press_sso_up</c>: logins happen in this manager, so they are
/// counted in its memory (an OpenTelemetry counter, exported as <c>press_logins_total</c>) rather than in the database.
/// </summary>
public sealed class LoginMetrics
{
    private readonly Counter<long> _logins;
    private volatile int _ssoUp = -1; // -1: single sign-on not configured (no sample)

    public LoginMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PressGauges.MeterName);
        _logins = meter.CreateCounter<long>("press.logins", null,
            "Logins to Press by method (local, basic, sso) and outcome, since this manager started.");
        meter.CreateObservableGauge("press_sso_up",
            () => _ssoUp < 0 ? [] : new[] { new Measurement<int>(_ssoUp) },
            description: "1 when the OIDC issuer answered its last probe (discovery and keys), else 0; absent without one.");
    }

    /// <param name="method"><c>local</c> (the login form), <c>basic</c> (HTTP Basic on /api/tokens) or <c>sso</c>.</param>
    public void Login(string method, string outcome) =>
        _logins.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", outcome));

    public void SsoUp(bool up) => _ssoUp = up ? 1 : 0;
}
