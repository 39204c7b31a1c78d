using System.Net;
using Microsoft.Extensions.Time.Testing;
using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_key_may_fail_up_to_the_limit_then_waits_until_its_oldest_failure_leaves_the_window()
    {
        var throttle = new FailureThrottle(new ThrottleRule(3, TimeSpan.FromMinutes(10)), _time);
        throttle.Failed("k");
        _time.Advance(TimeSpan.FromMinutes(2));
        throttle.Failed("k");
        Assert.Null(throttle.RetryAfter("k"));
        throttle.Failed("k");

        Assert.Equal(TimeSpan.FromMinutes(8), throttle.RetryAfter("k"));
        Assert.Null(throttle.RetryAfter("other"));
        _time.Advance(TimeSpan.FromMinutes(8)); // the first failure has left the window: two remain
        Assert.Null(throttle.RetryAfter("k"));
        throttle.Failed("k");
        Assert.Equal(TimeSpan.FromMinutes(2), throttle.RetryAfter("k")); // the second failure is now the oldest
    }

    [Fact]
    public void Reset_forgets_a_key()
    {
        var throttle = new FailureThrottle(new ThrottleRule(1, TimeSpan.FromMinutes(1)), _time);
        throttle.Failed("k");
        Assert.NotNull(throttle.RetryAfter("k"));

        throttle.Reset("k");

        Assert.Null(throttle.RetryAfter("k"));
    }

    [Fact]
    public void Memory_is_bounded_expired_keys_go_first_then_the_stalest()
    {
        var throttle = new FailureThrottle(new ThrottleRule(1, TimeSpan.FromMinutes(1)), _time, maxKeys: 3);
        throttle.Failed("old");
        _time.Advance(TimeSpan.FromSeconds(61));
        throttle.Failed("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        throttle.Failed("b");
        _time.Advance(TimeSpan.FromSeconds(1));
        throttle.Failed("c"); // "old" has expired: it makes room
        Assert.Equal(3, throttle.TrackedKeys);
        Assert.NotNull(throttle.RetryAfter("a"));

        _time.Advance(TimeSpan.FromSeconds(1));
        throttle.Failed("d"); // none expired: the stalest ("a") goes
        Assert.Equal(3, throttle.TrackedKeys);
        Assert.Null(throttle.RetryAfter("a"));
        Assert.NotNull(throttle.RetryAfter("d"));
    }

    [Fact]
    public void Logins_wait_for_the_longer_of_the_account_and_the_address_limits()
    {
        var throttle = new LoginThrottle(_time, perAccount: new ThrottleRule(4, TimeSpan.FromMinutes(30)), perAddress: new ThrottleRule(2, TimeSpan.FromMinutes(5)));
        throttle.Failed("admin", "203.0.113.1");
        throttle.Failed("admin", "203.0.113.1");
        Assert.Equal(TimeSpan.FromMinutes(5), throttle.RetryAfter("admin", "203.0.113.1"));
        Assert.Equal(TimeSpan.FromMinutes(5), throttle.RetryAfter("someone", "203.0.113.1")); // the address, whatever the name
        Assert.Null(throttle.RetryAfter("admin", "198.51.100.1"));

        throttle.Failed("admin", "198.51.100.1");
        throttle.Failed("admin", "198.51.100.2");
        Assert.Equal(TimeSpan.FromMinutes(30), throttle.RetryAfter("admin", "192.0.2.1")); // the account, from anywhere
        Assert.Equal(TimeSpan.FromMinutes(30), throttle.RetryAfter("admin", "203.0.113.1"));
        Assert.Null(throttle.RetryAfter("someone", "192.0.2.1"));

        throttle.Succeeded("admin"); // the owner got in: the account is clear, the noisy address is not
        Assert.Null(throttle.RetryAfter("admin", "192.0.2.1"));
        Assert.NotNull(throttle.RetryAfter("admin", "203.0.113.1"));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    public void Addresses_are_keyed_by_IPv4_address_or_IPv6_64_prefix(string address, string key) =>
        Assert.Equal(key, LoginThrottle.AddressKey(IPAddress.Parse(address)));
}
