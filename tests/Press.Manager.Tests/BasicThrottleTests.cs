using System.Net;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// HTTP Basic (the bootstrap admin, used to mint tokens) is throttled per source address and per account: 429 with
/// Retry-After, even for the right password while blocked, until the window has passed (a fake clock moves it).
/// Requests come from 127.0.0.1 carrying X-Forwarded-For, as Traefik on the host network sends them.
/// </summary>
public sealed class BasicThrottleTests(PressApp app) : IClassFixture<PressApp>
{
    private Task<Microsoft.AspNetCore.Http.HttpContext> MintAsync(string user, string password, string clientAddress) =>
        app.Server.SendAsync("POST", "/api/tokens", IPAddress.Loopback,
            new Dictionary<string, string>
            {
                ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")),
                ["X-Forwarded-For"] = clientAddress,
            },
            """{"name": "throttle-test", "expiresInDays": 1}""");

    [Fact]
    public async Task Guessing_from_one_address_is_stopped_with_429_and_Retry_After()
    {
        app.Time.Advance(TimeSpan.FromHours(1)); // a clean slate, whatever ran before
        const string attacker = "203.0.113.10";
        for (var i = 0; i < 10; i++)
            Assert.Equal(401, (await MintAsync("admin", $"guess-{i}", attacker)).Response.StatusCode);

        var blocked = await MintAsync("admin", app.Db.AdminPassword, attacker);
        Assert.Equal(429, blocked.Response.StatusCode);
        var retryAfter = int.Parse(blocked.Response.Headers.RetryAfter.ToString());
        Assert.InRange(retryAfter, 1, 15 * 60);
        Assert.Contains("Retry-After", await blocked.BodyAsync());
        // Unknown user names from the same address are blocked too (no fresh guesses by switching the name).
        Assert.Equal(429, (await MintAsync("nobody", "x", attacker)).Response.StatusCode);
        // Another address is not blocked by this one's failures.
        Assert.Equal(201, (await MintAsync("admin", app.Db.AdminPassword, "198.51.100.20")).Response.StatusCode);

        app.Time.Advance(TimeSpan.FromSeconds(retryAfter));
        Assert.Equal(201, (await MintAsync("admin", app.Db.AdminPassword, attacker)).Response.StatusCode);
    }

    [Fact]
    public async Task Guessing_one_account_from_many_addresses_is_stopped_too()
    {
        app.Time.Advance(TimeSpan.FromHours(1)); // a clean slate, whatever ran before
        for (var i = 0; i < 50; i++)
            Assert.Equal(401, (await MintAsync("admin", $"spread-{i}", $"192.0.2.{i + 1}")).Response.StatusCode);

        var blocked = await MintAsync("admin", app.Db.AdminPassword, "198.51.100.99");
        Assert.Equal(429, blocked.Response.StatusCode);
        Assert.True(int.Parse(blocked.Response.Headers.RetryAfter.ToString()) > 0);

        app.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(201, (await MintAsync("admin", app.Db.AdminPassword, "198.51.100.99")).Response.StatusCode);
    }
}
