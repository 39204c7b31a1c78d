using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Press.Manager.Auth;
using Press.Manager.Ingress;

namespace Press.Manager.Api;

/// <summary>
/// What makes <c>/openapi/v1.json</c> a document clients can be generated from (checked by Redocly's recommended rules
/// and a generated client in the tests, tests/Press.Manager.Tests/OpenApi): the ways in as security schemes, each
/// operation's security and its 401/403 answers read from its authorization metadata (so they cannot drift from what
/// is enforced), stable operation ids, a server URL without a trailing slash, tag descriptions.
/// </summary>
public static class OpenApiConventions
{
    public const string Bearer = "bearer";
    public const string Basic = "basic";
    public const string IngressSecret = "ingressSecret";

    public static IServiceCollection AddPressOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            DescribeDocument(document);
            OpenApiHealth.AddTo(document);
            return Task.CompletedTask;
        });
        OpenApiExamples.Add(options);
    });

    /// <summary>
    /// The operation id rule, for every operation not named with <c>.WithName(…)</c>: the HTTP method, then each path
    /// segment after <c>/api</c> in PascalCase, a parameter as <c>By</c> + its name — <c>GET /api/sites/{name}/backups</c>
    /// is <c>getSitesByNameBackups</c>. Method and path are unique, so the ids are, and they change only when the
    /// route does.
    /// </summary>
    public static string OperationId(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s == "api")
            .Select(s => s.StartsWith('{') ? "By" + Pascal(s.Trim('{', '}').Split(':')[0]) : Pascal(s));
        return method.ToLowerInvariant() + string.Concat(segments);
    }

    private static string Pascal(string segment) =>
        string.Concat(segment.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var path = "/" + (description.RelativePath ?? "").Split('?')[0];
        operation.OperationId ??= OperationId(description.HttpMethod ?? "GET", path);

        var metadata = description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            // Traefik's configuration endpoint proves its caller with a shared secret header; nothing else is anonymous.
            operation.Security = path == TraefikEndpoint.Path ? [Requirement(IngressSecret, context.Document)] : [];
            return;
        }
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
        if (policies.Count == 0) return;
        operation.Security = [Requirement(Bearer, context.Document)];
        // HTTP Basic (a local account's password) is accepted on /api/tokens only, to mint tokens.
        if (path.StartsWith("/api/tokens", StringComparison.Ordinal)) operation.Security.Add(Requirement(Basic, context.Document));
        // Diagnostics answer a caller on the host without any credentials.
        if (policies.Contains(Policies.Diagnostics)) operation.Security.Add(new OpenApiSecurityRequirement());

        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", Problem("Unauthorized: no valid token (or password, where Basic is accepted).", context.Document));
        if (policies.Contains(Policies.Operator) || policies.Contains(Policies.Admin))
            operation.Responses.TryAdd("403", Problem(
                $"Forbidden: the caller's role is below {(policies.Contains(Policies.Admin) ? "admin" : "operator")}.", context.Document));
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    internal static OpenApiResponse Problem(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Sites"] = "Sites: create, list, show, lifecycle jobs (suspend, resume, delete, undelete, purge), custom domains, runner logs.",
        ["Backups"] = "Backups of a site's database and files: take, list, verify, download, restore in place or roll back.",
        ["Jobs"] = "Durable jobs of named steps: show, list, retry from the failed step, follow as server-sent events.",
        ["Tokens"] = "API tokens: mint (shown once), list with last use, revoke with every token minted under them.",
        ["Users"] = "Accounts (admin): local ones and single sign-on people.",
        ["Sessions"] = "Live browser sessions (admin).",
        ["Settings"] = "Runtime settings.",
        ["Audit"] = "The append-only audit log.",
        ["Overview"] = "The dashboard's first page: health, sites per state, stale backups, failed and latest jobs.",
        ["Ingress"] = "Traefik's dynamic configuration, fetched by Traefik with a shared secret.",
        [OpenApiHealth.Tag] = "Liveness, readiness and Prometheus metrics.",
    };

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A Press API token (press_…, minted with POST /api/tokens) or a JWT access token from the single sign-on issuer.",
        };
        document.Components.SecuritySchemes[Basic] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "A local account's name and password; accepted on /api/tokens only, to mint a token.",
        };
        document.Components.SecuritySchemes[IngressSecret] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = TraefikEndpoint.SecretHeader,
            Description = "The secret Traefik sends (Press__Ingress__TraefikSecret).",
        };
        // Redocly's no-server-trailing-slash: the URL derived from the request ends with "/", which would double the
        // slash before every path in a generated client.
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == OpenApiHealth.Tag)) document.Tags.Add(new OpenApiTag { Name = OpenApiHealth.Tag });
        foreach (var tag in document.Tags)
            if (tag.Name is { } name && tag.Description is null && TagDescriptions.TryGetValue(name, out var text)) tag.Description = text;
    }
}
