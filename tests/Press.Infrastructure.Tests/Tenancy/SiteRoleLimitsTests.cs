namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>The per-site limits that bind: <c>temp_file_limit</c> is applied to every site role and the site cannot lift it.</summary>
public sealed class SiteRoleLimitsTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task A_site_session_has_the_configured_temp_file_limit_and_cannot_raise_it()
    {
        var site = await f.ProvisionSiteAsync();
        await using var conn = await f.OpenAsSiteAsync(site);

        Assert.Equal($"{f.Tenancy.TempFileLimitMb}MB", await conn.ScalarAsync<string>("SHOW temp_file_limit"));
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync("SET temp_file_limit = -1"));
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync("ALTER ROLE CURRENT_USER RESET temp_file_limit"));
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync("ALTER ROLE CURRENT_USER SET temp_file_limit = -1"));
    }
}
