using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Press.Manager.Api;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> in the document. They are health-check endpoints, which ASP.NET's API explorer
/// does not list, so they are described here by hand (<c>HealthEndpoints.MapPressHealth</c> in Press.Infrastructure):
/// liveness without any security, readiness for a token or a caller on the host, like /metrics.
/// </summary>
public static class OpenApiHealth
{
    public const string Tag = "Diagnostics";

    public static void AddTo(OpenApiDocument document)
    {
        document.AddComponent("HealthReport", Report());
        var report = new OpenApiSchemaReference("HealthReport", document);
        document.Paths ??= new OpenApiPaths();
        document.Paths["/healthz"] = Path(new OpenApiOperation
        {
            OperationId = "getHealthz",
            Summary = "Liveness: the process answers (no dependency is checked). Open to anyone.",
            Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
            Security = [],
            Responses = new OpenApiResponses { ["200"] = Json("Healthy.", report, """{"status": "Healthy", "checks": {}}""") },
        });
        document.Paths["/readyz"] = Path(new OpenApiOperation
        {
            OperationId = "getReadyz",
            Summary = "Readiness: PostgreSQL, Redis, the runtime and backup staleness (stale backups: Degraded, still 200). " +
                      "A token, or a caller on the host.",
            Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
            Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiConventions.Bearer, document)] = [] },
                new OpenApiSecurityRequirement(),
            ],
            Responses = new OpenApiResponses
            {
                ["200"] = Json("Healthy or Degraded.", report,
                    """{"status": "Healthy", "checks": {"postgres": {"status": "Healthy", "detail": "PostgreSQL 17.6", "data": null}}}"""),
                ["401"] = OpenApiConventions.Problem("Unauthorized: not on the host and no valid token.", document),
                ["503"] = Json("Unhealthy: a dependency does not answer.", report,
                    """{"status": "Unhealthy", "checks": {"redis": {"status": "Unhealthy", "detail": "Redis does not answer", "data": null}}}"""),
            },
        });
    }

    private static OpenApiPathItem Path(OpenApiOperation get)
    {
        var item = new OpenApiPathItem();
        item.AddOperation(HttpMethod.Get, get);
        return item;
    }

    private static OpenApiResponse Json(string description, IOpenApiSchema schema, string example) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema, Example = JsonNode.Parse(example) } },
    };

    private static OpenApiSchema Report()
    {
        static OpenApiSchema Status() => new() { Type = JsonSchemaType.String, Enum = [JsonValue.Create("Healthy"), JsonValue.Create("Degraded"), JsonValue.Create("Unhealthy")] };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = Status(),
                ["checks"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "status" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["status"] = Status(),
                            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                            ["data"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null },
                        },
                    },
                },
            },
        };
    }
}
