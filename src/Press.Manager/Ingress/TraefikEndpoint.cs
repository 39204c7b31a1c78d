using System.Security.Cryptography;
using System.Text;
using Press.Infrastructure.Ingress;
using Press.Infrastructure.Traefik;

namespace Press.Manager.Ingress;

/// <summary>
/// <c>GET /api/ingress/traefik</c>: the route table as Traefik v3 dynamic configuration, for Traefik's HTTP provider
/// (docker/traefik/traefik.yml). Traefik can only send static headers, so this endpoint is outside the bearer-token
/// group: the caller proves itself with the shared secret in <c>X-Press-Ingress-Secret</c>, compared in constant time
/// with <c>Press:Ingress:TraefikSecret</c> (<c>Press__Ingress__TraefikSecret_FILE</c>).
/// <list type="bullet">
/// <item>No header, or the wrong secret → 401 (whether or not a secret is configured, so nothing is revealed to a
/// caller without one).</item>
/// <item>A header but no secret configured in Press → 503 saying what to set: the ingress is not configured.</item>
/// <item>Otherwise 200 with the configuration, re-planned first if the sites changed since the last refresh.</item>
/// </list>
/// Services point at Press where Traefik reached this endpoint (scheme and Host of the request, e.g.
/// http://127.0.0.1:48550): Traefik shares the host's network with the manager.
/// </summary>
public static class TraefikEndpoint
{
    public const string Path = "/api/ingress/traefik";
    public const string SecretHeader = "X-Press-Ingress-Secret";

    public static IEndpointConventionBuilder MapTraefikProvider(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, ServeAsync)
            .AllowAnonymous() // the shared secret is checked in the handler
            .WithTags("Ingress")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary($"Traefik dynamic configuration (routers, services, middlewares) for its HTTP provider; needs the {SecretHeader} header, not a token.");

    private static async Task<IResult> ServeAsync(HttpContext http, IngressOptions options, RouteTableProvider routes, CancellationToken ct)
    {
        var given = http.Request.Headers[SecretHeader].ToString();
        if (given.Length == 0)
            return Results.Problem(statusCode: 401, title: "Unauthorized",
                detail: $"Send the ingress secret in the {SecretHeader} header (Traefik: providers.http.headers); API tokens are not accepted here.");
        if (string.IsNullOrEmpty(options.TraefikSecret))
            return Results.Problem(statusCode: 503, title: "The Traefik ingress is not configured",
                detail: "Press has no ingress secret: set Press__Ingress__TraefikSecret_FILE (or Press__Ingress__TraefikSecret) to the secret Traefik sends in " +
                        $"{SecretHeader}, then restart the manager.");
        if (!SameSecret(given, options.TraefikSecret))
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: $"The {SecretHeader} header does not match Press's ingress secret.");

        await routes.RefreshAsync(ct);
        string json;
        try
        {
            json = TraefikConfig.Render(routes.Current, new TraefikRenderOptions($"{http.Request.Scheme}://{http.Request.Host}", options.Tls));
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(statusCode: 500, title: "The route table cannot be rendered for Traefik", detail: ex.Message);
        }
        http.Response.Headers.CacheControl = "no-store";
        return Results.Text(json, "application/json", Encoding.UTF8);
    }

    /// <summary>Constant time whatever the inputs: both sides are hashed to the same length first.</summary>
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
