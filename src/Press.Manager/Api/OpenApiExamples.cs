using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Press.Manager.Api;

/// <summary>
/// Examples of the request bodies (on each body) and of the validation problem (on its schema), for readers of the
/// document and generated clients' docs; OpenApiDocumentTests checks that every body has one.
/// </summary>
public static class OpenApiExamples
{
    private static readonly Dictionary<Type, string> ByType = new()
    {
        [typeof(CreateSiteRequest)] = """{"name": "erp.example.com", "apps": ["erpnext"]}""",
        [typeof(CreateTokenRequest)] = """{"name": "ci", "role": "operator", "expiresInDays": 30}""",
        [typeof(UsersApi.CreateUserRequest)] = """{"name": "ada", "role": "operator", "breakGlass": false}""",
        [typeof(DomainsApi.AddDomainRequest)] = """{"domain": "shop.example.org"}""",
        [typeof(RestoreRequest)] = """{"backupId": "0193a2b4-0000-7000-8000-000000000001"}""",
        [typeof(UpgradeRequest)] = """{"image": "ghcr.io/acme/erpnext:v16.1.0"}""",
        [typeof(MoveSiteRequest)] = """{"database": "press_sites_002"}""",
        [typeof(RehearseRequest)] = """{"image": "ghcr.io/acme/erpnext:v16.1.0"}""",
        [typeof(SetSettingRequest)] = """{"value": "0 3 * * *"}""",
        [typeof(SiteUsageApi.LimitsRequest)] = """{"memoryMb": 2048, "cpus": 1.5, "databaseCapMb": 10240}""",
        [typeof(SiteAppsApi.InstallAppRequest)] = """{"app": "erpnext"}""",
        [typeof(RolloutsApi.StartRolloutRequest)] = """{"image": "frappe/erpnext:v16.1.0", "all": true, "canary": 1, "waveSize": 5, "maxFailures": 0}""",
        [typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails)] = """
            {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The request is invalid", "status": 400,
             "detail": "2 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors": {"name": ["A site name is a DNS host name: lowercase letters, digits and hyphens in dot-separated labels."],
                        "apps": ["Unknown app 'erpnxt': install one of frappe, erpnext."]}}
            """,
    };

    public static void Add(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (ByType.TryGetValue(context.JsonTypeInfo.Type, out var json) && schema is OpenApiSchema concrete)
            concrete.Examples = [JsonNode.Parse(json)!];
        return Task.CompletedTask;
    });

    /// <summary>The example of a request body's type (shown on the body, whose schema is inline), or null.</summary>
    public static JsonNode? For(Type type) => ByType.TryGetValue(type, out var json) ? JsonNode.Parse(json) : null;
}
