using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Press.Core.Tenancy;

/// <summary>
/// Opaque schema and role identifiers. Catalogs are world-readable in PostgreSQL, so identifiers must not reveal
/// site names: they are random, and the mapping to the site lives only in the metadata.
/// </summary>
public static partial class TenantIdentifier
{
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>"t_" + 20 random base32 characters (100 bits): safe as a PostgreSQL identifier without quoting.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[20];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[22];
        chars[0] = 't';
        chars[1] = '_';
        for (var i = 0; i < bytes.Length; i++) chars[i + 2] = Base32[bytes[i] & 31];
        return new string(chars);
    }

    /// <summary>Defence in depth: anything about to be spliced into DDL as an identifier must look like ours.</summary>
    public static bool IsValid(string identifier) => Shape().IsMatch(identifier);

    public static string Require(string identifier) =>
        IsValid(identifier) ? identifier : throw new ArgumentException($"'{identifier}' is not a Press tenant identifier.");

    [GeneratedRegex("^t_[a-z2-7]{20}\\z")]
    private static partial Regex Shape();
}
