using System.Net;
using System.Net.Sockets;

namespace Press.Core.Identity;

/// <summary>
/// Throttles password logins per account and per source address (online guessing): a key with too many recent failures
/// waits (HTTP: 429 with Retry-After) and its attempts are not checked at all meanwhile. The address limit is the tight
/// one; the account limit is looser, so guesses spread over many addresses still stop, while one noisy address cannot
/// lock the owner out alone. A success forgets the account's failures, never the address's.
/// </summary>
public sealed class LoginThrottle(TimeProvider time, ThrottleRule? perAccount = null, ThrottleRule? perAddress = null)
{
    public static readonly ThrottleRule DefaultPerAccount = new(50, TimeSpan.FromMinutes(15));
    public static readonly ThrottleRule DefaultPerAddress = new(10, TimeSpan.FromMinutes(15));

    private readonly FailureThrottle _accounts = new(perAccount ?? DefaultPerAccount, time);
    private readonly FailureThrottle _addresses = new(perAddress ?? DefaultPerAddress, time);

    /// <summary>Null when the login may be checked now; else how long the caller must wait.</summary>
    public TimeSpan? RetryAfter(string account, string address)
    {
        var waits = new[] { _accounts.RetryAfter(account), _addresses.RetryAfter(address) }.OfType<TimeSpan>().ToList();
        return waits.Count == 0 ? null : waits.Max();
    }

    public void Failed(string account, string address)
    {
        _accounts.Failed(account);
        _addresses.Failed(address);
    }

    public void Succeeded(string account) => _accounts.Reset(account);

    /// <summary>
    /// The key of a source address: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4 form), IPv6 by its /64 prefix,
    /// since one host normally holds a whole /64 and could otherwise take a fresh address for every guess.
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
