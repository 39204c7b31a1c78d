using System.Security.Cryptography;

namespace Press.Core.Standby;

/// <summary>
/// The opaque names of standby sites (docs/architecture.md §17). They end in <c>.invalid</c>, a top-level domain that
/// never resolves (RFC 6761 §6.4): no customer can ask for one (<see cref="Sites.SiteNameRules"/> refuses it), and a
/// standby could not be reached by a browser even if a route to it leaked. The random part says nothing about the app
/// set or who will claim it.
/// </summary>
public static class StandbyNames
{
    public const string Domain = "invalid";

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary><c>standby-</c> + 16 random base32 characters (80 bits) + <c>.invalid</c>.</summary>
    public static string New() => "standby-" + RandomNumberGenerator.GetString(Alphabet, 16) + "." + Domain;

    /// <summary>What a standby whose claim failed is renamed to, so the requested name is free for the cold create;
    /// derived from the site's id, so renaming it twice gives the same name.</summary>
    public static string Discarded(Guid siteId) => $"discarded-{siteId:N}.{Domain}";

    public static bool IsDiscarded(string name) => name.StartsWith("discarded-", StringComparison.Ordinal) && IsReserved(name);

    /// <summary>Any name under <c>.invalid</c>: Press's, never a customer's.</summary>
    public static bool IsReserved(string name) =>
        name.Equals(Domain, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + Domain, StringComparison.OrdinalIgnoreCase);
}
