using System.Net;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests.OpenApi;

/// <summary>
/// The live /openapi/v1.json is a document clients can be generated from: a standard linter (Redocly, recommended
/// rules) finds no error in it, and a typed client generated from it by a standard generator (openapi-typescript, used
/// through openapi-fetch in tests/openapi/client.ts) compiles.
/// </summary>
public sealed class OpenApiDocumentTests(PressApp app) : IClassFixture<PressApp>
{
    private async Task<string> DocumentAsync()
    {
        var response = await app.Admin.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Redocly_recommended_rules_find_no_error_in_the_live_document()
    {
        var file = Path.Combine(Path.GetTempPath(), $"press-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await DocumentAsync());
        try
        {
            var lint = await OpenApiTools.RunAsync("redocly", "lint", file, "--config", "redocly.yaml", "--format", "codeframe");

            Assert.True(lint.ExitCode == 0, lint.ToString());
            Assert.Contains("Woohoo! Your API description is valid.", lint.Output.Replace("\n", " "));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_typed_client_generated_from_the_live_document_compiles()
    {
        var generated = Path.Combine(OpenApiTools.Folder, "generated");
        Directory.CreateDirectory(generated);
        var document = Path.Combine(generated, "openapi.json");
        await File.WriteAllTextAsync(document, await DocumentAsync());

        var generate = await OpenApiTools.RunAsync("openapi-typescript", document, "--output", Path.Combine(generated, "press-api.d.ts"));
        Assert.True(generate.ExitCode == 0, generate.ToString());
        // client.ts calls the API through openapi-fetch with the generated types, naming operations by their ids:
        // a missing path, a changed body or response, or a renamed operation id fails the compile.
        var compile = await OpenApiTools.RunAsync("tsc", "--project", "tsconfig.json");

        Assert.True(compile.ExitCode == 0, compile.ToString());
        Assert.Equal("", compile.Output);
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_security_and_its_error_answers_and_every_body_an_example()
    {
        using var json = JsonDocument.Parse(await DocumentAsync());
        var root = json.RootElement;
        var problems = new List<string>();
        var ids = new HashSet<string>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        {
            var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
            var id = op.Value.TryGetProperty("operationId", out var i) ? i.GetString() : null;
            if (id is null || !ids.Add(id)) problems.Add($"{name}: operation id '{id}' missing or not unique");
            if (!op.Value.TryGetProperty("summary", out _)) problems.Add($"{name}: no summary");
            if (!op.Value.TryGetProperty("security", out var security)) { problems.Add($"{name}: no security"); continue; }
            var responses = op.Value.GetProperty("responses");
            var open = security.GetArrayLength() == 0 || security.EnumerateArray().Any(s => !s.EnumerateObject().Any());
            if (!open && !responses.TryGetProperty("401", out _)) problems.Add($"{name}: no 401 answer");
            if (path.Name.Contains('{') && path.Name.StartsWith("/api/sites", StringComparison.Ordinal) && !responses.TryGetProperty("404", out _))
                problems.Add($"{name}: no 404 answer for an unknown site");
            if (op.Value.TryGetProperty("requestBody", out var body))
            {
                if (!responses.TryGetProperty("400", out _)) problems.Add($"{name}: a body but no 400 answer");
                if (!body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _)) problems.Add($"{name}: a body without an example");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal("getHealthz", root.GetProperty("paths").GetProperty("/healthz").GetProperty("get").GetProperty("operationId").GetString());
        Assert.Equal(0, root.GetProperty("paths").GetProperty("/healthz").GetProperty("get").GetProperty("security").GetArrayLength());
        Assert.Equal(["basic", "bearer", "ingressSecret"],
            root.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(s => s.Name).Order());
        Assert.All(root.GetProperty("servers").EnumerateArray(), s => Assert.False(s.GetProperty("url").GetString()!.EndsWith('/')));
    }

    [Theory]
    [InlineData("GET", "/api/sites", "getSites")]
    [InlineData("GET", "/api/sites/{name}/backups", "getSitesByNameBackups")]
    [InlineData("POST", "/api/sites/{name}/rollback-restore", "postSitesByNameRollbackRestore")]
    [InlineData("DELETE", "/api/tokens/{id:guid}", "deleteTokensById")]
    [InlineData("GET", "/metrics", "getMetrics")]
    public void Operation_ids_follow_one_rule(string method, string path, string id) =>
        Assert.Equal(id, Press.Manager.Api.OpenApiConventions.OperationId(method, path));

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        var doc = await (await app.Admin.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/sites", "/api/sites/{name}", "/api/sites/{name}/suspend", "/api/sites/{name}/resume",
                     "/api/sites/{name}/undelete", "/api/sites/{name}/purge", "/api/jobs", "/api/jobs/{id}", "/api/jobs/{id}/retry",
                     "/api/jobs/{id}/events", "/api/audit", "/api/tokens" })
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
        var body = paths.GetProperty("/api/sites").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.True(body.GetProperty("schema").ValueKind == System.Text.Json.JsonValueKind.Object);
        Assert.True(paths.GetProperty("/api/sites/{name}").TryGetProperty("delete", out _));
    }
}
