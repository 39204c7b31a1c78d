using System.Net;
using System.Text.Json;

namespace Press.Testing;

/// <summary>
/// The expected role of every operation the OpenAPI document lists (docs/architecture.md §7: admin ⊃ operator ⊃ viewer).
/// <see cref="CheckAsync"/> reads the document, refuses any operation missing from <see cref="Expected"/> (so a new
/// endpoint cannot escape the matrix), and sends each one as anonymous, viewer, operator and admin: anonymous gets 401,
/// a role below the required one 403, the required role and above neither. Parameters are unknown names and ids, so
/// an allowed call answers 400/404/409 and changes nothing.
/// </summary>
public static class RoleMatrix
{
    /// <summary><c>"METHOD /path"</c> → the lowest role allowed; <see cref="Secret"/>: no token at all, a shared secret instead.</summary>
    public const string Secret = "ingress-secret";

    /// <summary>Any role, or no token from a caller on the host (loopback, straight to the API port).</summary>
    public const string Diagnostics = "diagnostics";

    /// <summary>Anyone, without credentials (liveness).</summary>
    public const string Anonymous = "anonymous";

    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>
    {
        ["GET /api/sites"] = "viewer",
        ["POST /api/sites"] = "operator",
        ["GET /api/sites/{name}"] = "viewer",
        ["DELETE /api/sites/{name}"] = "operator",
        ["POST /api/sites/{name}/suspend"] = "operator",
        ["POST /api/sites/{name}/resume"] = "operator",
        ["POST /api/sites/{name}/undelete"] = "operator",
        ["POST /api/sites/{name}/purge"] = "admin",
        ["POST /api/sites/{name}/sso"] = "operator",
        ["GET /api/sites/{name}/logs"] = "operator",
        ["POST /api/sites/{name}/admin-password"] = "admin",
        ["POST /api/sites/{name}/domains"] = "operator",
        ["DELETE /api/sites/{name}/domains/{domain}"] = "operator",
        ["POST /api/sites/{name}/backups"] = "operator",
        ["GET /api/sites/{name}/backups"] = "viewer",
        ["POST /api/sites/{name}/backups/verify"] = "operator",
        ["POST /api/sites/{name}/restore"] = "operator",
        ["POST /api/sites/{name}/rollback-restore"] = "operator",
        ["GET /api/backups/{id}"] = "viewer",
        ["GET /api/backups/{id}/download"] = "operator",
        ["GET /api/backups/{id}/parts/{part}"] = "operator",
        ["GET /api/jobs"] = "viewer",
        ["GET /api/jobs/{id}"] = "viewer",
        ["POST /api/jobs/{id}/retry"] = "operator",
        ["GET /api/jobs/{id}/events"] = "viewer",
        ["GET /api/audit"] = "operator",
        ["GET /api/audit/verify"] = "admin",
        ["GET /api/audit/export"] = "operator",
        ["GET /api/settings"] = "viewer",
        ["PUT /api/settings/{key}"] = "admin",
        ["POST /api/tokens"] = "viewer",
        ["GET /api/tokens"] = "viewer",
        ["DELETE /api/tokens/{id}"] = "viewer",
        ["GET /api/users"] = "admin",
        ["POST /api/users"] = "admin",
        ["POST /api/users/{name}/disable"] = "admin",
        ["POST /api/users/{name}/enable"] = "admin",
        ["POST /api/users/{name}/reset-password"] = "admin",
        ["GET /api/sessions"] = "admin",
        ["DELETE /api/sessions/{id}"] = "admin",
        ["GET /api/ingress/traefik"] = Secret,
        ["GET /api/overview"] = "viewer",
        ["GET /api/doctor"] = "admin",
        ["GET /api/sites/{name}/usage"] = "operator",
        ["PUT /api/sites/{name}/limits"] = "admin",
        ["POST /api/sites/{name}/upgrade"] = "operator",
        ["POST /api/sites/{name}/move"] = "admin",
        ["GET /api/standby"] = "admin",
        // GET /metrics is OpenTelemetry's Prometheus scraping endpoint, not an API operation, so the OpenAPI document
        // no longer lists it; its access rule (loopback or any token) is tested in DiagnosticsAccessTests.
        ["GET /readyz"] = Diagnostics,
        ["GET /healthz"] = Anonymous,
        ["POST /api/sites/{name}/apps"] = "operator",
        ["DELETE /api/sites/{name}/apps/{app}"] = "admin",
        ["POST /api/upgrades"] = "admin",
        ["GET /api/upgrades"] = "admin",
        ["GET /api/upgrades/{id}"] = "admin",
        ["POST /api/upgrades/{id}/pause"] = "admin",
        ["POST /api/upgrades/{id}/resume"] = "admin",
        ["POST /api/upgrades/{id}/cancel"] = "admin",
        ["POST /api/sites/{name}/rehearsals"] = "operator",
        ["GET /api/sites/{name}/rehearsals"] = "viewer",
        ["GET /api/rehearsals/{id}"] = "viewer",
    };

    private static readonly string[] Ranked = ["viewer", "operator", "admin"];

    /// <summary>Every operation of the OpenAPI document as <c>"METHOD /path"</c>.</summary>
    public static IReadOnlyList<string> Operations(JsonElement openApi) =>
        openApi.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete" or "patch")
                .Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .ToList();

    /// <param name="clients">a client per role.</param>
    /// <param name="anonymousIsLocal">The anonymous client counts as local (a real loopback connection to the API port).</param>
    /// <returns>Every mismatch, as "who METHOD path: got N, expected …"; empty when the matrix holds.</returns>
    public static async Task<IReadOnlyList<string>> CheckAsync(JsonElement openApi, HttpClient anonymous, IReadOnlyDictionary<string, HttpClient> clients,
        bool anonymousIsLocal = false)
    {
        var problems = new List<string>();
        var operations = Operations(openApi);
        problems.AddRange(operations.Where(o => !Expected.ContainsKey(o)).Select(o => $"{o} is not in the role matrix: add its expected role"));
        problems.AddRange(Expected.Keys.Where(o => !operations.Contains(o)).Select(o => $"{o} is in the matrix but not in the OpenAPI document"));
        foreach (var operation in operations.Where(Expected.ContainsKey))
        {
            var required = Expected[operation];
            var (method, template) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            var path = template.Replace("{name}", "matrix-nobody.example.com").Replace("{domain}", "nobody.example.com")
                .Replace("{id}", Guid.NewGuid().ToString()).Replace("{key}", "no.such.setting").Replace("{part}", "database");
            var anonymousStatus = await SendAsync(anonymous, method, path);
            var anonymousExpected = required == Secret ? new[] { 401, 503 }
                : required == Anonymous || (required == Diagnostics && anonymousIsLocal) ? [200] : [401];
            if (!anonymousExpected.Contains(anonymousStatus)) problems.Add($"anonymous {operation}: got {anonymousStatus}, expected {string.Join(" or ", anonymousExpected)}");
            foreach (var (role, client) in clients)
            {
                var status = await SendAsync(client, method, path);
                if (required == Secret)
                {
                    if (status is not (401 or 503)) problems.Add($"{role} {operation}: got {status}, expected 401 or 503 (a token is not the secret)");
                    continue;
                }
                var allowed = required is Diagnostics or Anonymous || Array.IndexOf(Ranked, role) >= Array.IndexOf(Ranked, required);
                if (allowed && status is 401 or 403) problems.Add($"{role} {operation}: got {status}, expected to be let in (needs {required})");
                if (!allowed && status != 403) problems.Add($"{role} {operation}: got {status}, expected 403 (needs {required})");
            }
        }
        return problems;
    }

    private static async Task<int> SendAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (int)response.StatusCode;
    }
}
