using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.EndToEnd.Tests.Runtime;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// The Docker driver's way to the Social Login Key (docs/architecture.md §7): the doc file goes onto the site's volume
/// through a helper container (the runner's root is read-only), bench runs by docker exec in the runner, and the file
/// is removed there.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerSiteSsoTests : IAsyncLifetime
{
    private readonly int _port = Ports.Reserve();
    private OidcProvider? _provider;
    private RuntimeStack? _stack;

    public async Task InitializeAsync()
    {
        _provider = new OidcProvider([], _port, initialAccessToken: "iat-" + Guid.NewGuid().ToString("N"));
        await _provider.StartAsync();
        _stack = await RuntimeStack.StartDockerAsync(extra: new Dictionary<string, string?>
        {
            ["Press:Oidc:Authority"] = _provider.Issuer,
            ["Press:Oidc:ClientId"] = OidcProvider.ClientId,
            ["Press:Oidc:ClientSecret"] = _provider.ClientSecret,
            ["Press:Oidc:Provisioning"] = "dcr",
            ["Press:Oidc:InitialAccessToken"] = _provider.InitialAccessToken,
        });
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
        if (_provider is { } provider) await provider.DisposeAsync();
        Ports.Release(_port);
    }

    [Fact]
    public async Task A_docker_site_gets_its_Social_Login_Key_and_the_doc_file_leaves_no_trace_in_the_runner()
    {
        var stack = _stack!;
        var set = await stack.Admin.SendAsync(HttpMethod.Put, "/api/settings/sso.newSites", new { value = "on" });
        Assert.True(set.Status == System.Net.HttpStatusCode.OK, set.ToString());
        var name = stack.SiteName("dsso");

        var created = await stack.CreateSiteAsync(name);
        stack.AssertAllStepsSucceeded(created, Recipes.NewSite, requireSso: true);

        var key = await SiteSsoTests.SocialLoginKeyAsync(stack.Db, (await stack.GetSiteAsync(name)).Location.Schema)
            ?? throw new Xunit.Sdk.XunitException("no Social Login Key" + stack.Describe());
        Assert.Equal(_provider!.Issuer, key["base_url"]);
        Assert.Equal("invalid_grant", await SiteSsoProvisionerTests.ClientAuthAsync(_provider, key["client_id"]!, key["secret"]!));
        Assert.StartsWith($"bench --site {name} execute frappe.client.insert --kwargs ", created.Step(StepNames.ConfigureSiteSso).Output);
        var leftover = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(name), "test", "-e",
            $"{SiteFiles.BenchFolder}/sites/{name}/.press-social-login-key.json");
        Assert.Equal(1, leftover.ExitCode);
        Assert.DoesNotContain(created.Steps, s => ((s.Output ?? "") + s.Error).Contains(key["secret"]!, StringComparison.Ordinal));
    }
}
