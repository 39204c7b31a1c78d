using System.Security.Cryptography;
using System.Text;

namespace Press.Core.Identity;

/// <summary>API tokens: shown once, stored as SHA-256 (they are long random strings, so no slow hash is needed).</summary>
public static class ApiToken
{
    public const string Prefix = "press_";

    public static string New() => Prefix + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 48);

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>What may be shown later to recognise a token without revealing it.</summary>
    public static string Hint(string token) => token[..Math.Min(token.Length, Prefix.Length + 6)] + "…";
}

/// <summary>The first scheme of local passwords (PBKDF2-SHA256, constant-time compare): hashes made with it still verify and are replaced at the next login (Identity/StandardPasswordHasher).</summary>
public static class PasswordHash
{
    private const int Iterations = 100_000;

    public static string Create(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>False for a wrong password and for any damaged stored value (never throws, never accepts an empty hash).</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations) || iterations < 1)
            return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        if (salt.Length == 0 || expected.Length != 32) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
