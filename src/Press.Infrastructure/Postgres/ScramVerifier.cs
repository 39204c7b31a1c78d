using System.Security.Cryptography;
using System.Text;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, PostgreSQL's
/// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>), computed here so that <c>CREATE/ALTER ROLE … PASSWORD</c>
/// sends the verifier, never the password: the statement's text is what the server logs (any failed statement, every
/// statement under <c>log_statement</c>) and shows in <c>pg_stat_activity</c>. Written here because neither Npgsql nor
/// .NET exposes it; it is three standard primitives (PBKDF2, HMAC, SHA-256), checked by logging in with the result.
/// </summary>
public static class ScramVerifier
{
    /// <summary>PostgreSQL's own default (<c>scram_iterations</c>).</summary>
    public const int Iterations = 4096;

    public static string For(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Prepare(password)), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>
    /// PostgreSQL runs SASLprep on the password first. For printable ASCII (every password Press generates) that is the
    /// identity; for other text its core is NFKC normalisation. Passwords SASLprep rejects (control or prohibited
    /// characters), which PostgreSQL then uses unprepared, are refused here rather than guessed at.
    /// </summary>
    private static string Prepare(string password)
    {
        if (password.All(c => c is >= ' ' and <= '~')) return password;
        if (password.Any(char.IsControl))
            throw new ArgumentException("a password with control characters cannot be turned into a SCRAM verifier here; use printable characters");
        return password.Normalize(NormalizationForm.FormKC);
    }
}
