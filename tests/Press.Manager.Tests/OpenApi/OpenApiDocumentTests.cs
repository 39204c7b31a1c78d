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
}
