using System.Security.Cryptography;

namespace Press.Core.Tenancy;

/// <summary>Random database passwords for site roles. Alphanumeric only, so no quoting rule can ever be wrong.</summary>
public static class SitePassword
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    public const int Length = 40;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    public static bool IsWellFormed(string password) =>
        password.Length >= 32 && password.All(c => Alphabet.Contains(c));
}
