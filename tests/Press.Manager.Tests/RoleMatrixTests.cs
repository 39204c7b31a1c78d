using System.Net;
using Press.Manager.Tests.Harness;
using Press.Testing;

namespace Press.Manager.Tests;

/// <summary>
/// Every operation of /openapi/v1.json against anonymous, viewer, operator and admin API tokens (the same matrix runs
/// with single sign-on JWTs in Press.EndToEnd.Tests/Identity).
/// </summary>
public sealed class RoleMatrixTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Every_operation_in_the_OpenAPI_document_enforces_its_role_for_tokens()
    {
        var openApi = await (await app.Admin.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        Assert.True(RoleMatrix.Operations(openApi).Count >= 35, string.Join("\n", RoleMatrix.Operations(openApi)));
        var clients = new Dictionary<string, HttpClient>
        {
            ["viewer"] = await app.ClientWithTokenAsync("viewer"),
            ["operator"] = await app.ClientWithTokenAsync("operator"),
            ["admin"] = app.Admin,
        };
        var problems = await RoleMatrix.CheckAsync(openApi, app.Anonymous, clients);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
