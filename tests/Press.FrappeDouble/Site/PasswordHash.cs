using System.Security.Cryptography;
using System.Text;

namespace Press.FrappeDouble.Site;

/// <summary>
/// Frappe hashes user passwords with passlib's pbkdf2_sha256 (<c>$pbkdf2-sha256$29000$salt$hash</c>, passlib's
/// "adapted base64"). Same format here so a test can tell a hash from a clear-text password.
/// </summary>
public static class PasswordHash
{
    private const int Iterations = 29000;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"$pbkdf2-sha256${Iterations}${Ab64(salt)}${Ab64(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 5 || parts[1] != "pbkdf2-sha256" || !int.TryParse(parts[2], out var iterations)) return false;
        var salt = FromAb64(parts[3]);
        var expected = FromAb64(parts[4]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Ab64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '.');

    private static byte[] FromAb64(string s)
    {
        s = s.Replace('.', '+');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
