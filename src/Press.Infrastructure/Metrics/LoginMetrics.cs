using System.Collections.Concurrent;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// <c>press_logins_total{method,outcome}</c> and <c>press_sso_up</c>: counted in this manager's memory (logins happen
/// here, not in the database), written by the manager's /metrics after <see cref="PressMetrics"/>.
/// </summary>
public sealed class LoginMetrics
{
    private readonly ConcurrentDictionary<(string Method, string Outcome), long> _logins = new();
    private volatile int _ssoUp = -1; // -1: single sign-on not configured (no sample)

    /// <param name="method"><c>local</c> (the login form), <c>basic</c> (HTTP Basic on /api/tokens) or <c>sso</c>.</param>
    public void Login(string method, string outcome) => _logins.AddOrUpdate((method, outcome), 1, (_, n) => n + 1);

    public void SsoUp(bool up) => _ssoUp = up ? 1 : 0;

    public long Count(string method, string outcome) => _logins.TryGetValue((method, outcome), out var n) ? n : 0;

    public void Write(PrometheusText text)
    {
        text.Family("press_logins_total", "counter", "Logins to Press by method (local, basic, sso) and outcome, since this manager started.");
        foreach (var ((method, outcome), n) in _logins.OrderBy(p => p.Key.Method, StringComparer.Ordinal).ThenBy(p => p.Key.Outcome, StringComparer.Ordinal))
            text.Sample("press_logins_total", n, ("method", method), ("outcome", outcome));
        if (_ssoUp < 0) return;
        text.Family("press_sso_up", "gauge", "1 when the OIDC issuer answered its last probe (discovery and keys), else 0; absent without one.");
        text.Sample("press_sso_up", _ssoUp);
    }
}
