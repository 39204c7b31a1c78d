using Microsoft.AspNetCore.Identity;
using Press.Core.Identity;

namespace Press.Infrastructure.Identity;

/// <summary>
/// Local passwords hashed by ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (format v3: PBKDF2-HMAC-SHA512,
/// 100,000 iterations, random salt, constant-time compare; it flags its own older formats for rehash). Hashes of
/// Press's first scheme (<c>pbkdf2-sha256$…</c>, <see cref="PasswordHash"/>) still verify and are upgraded on login.
/// </summary>
public sealed class StandardPasswordHasher : IPasswordHasher
{
    private const string LegacyPrefix = "pbkdf2-sha256$";
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object NoUser = new();

    public static StandardPasswordHasher Instance { get; } = new();

    public string Create(string password) => Hasher.HashPassword(NoUser, password);

    public bool Verify(string password, string stored)
    {
        if (stored.StartsWith(LegacyPrefix, StringComparison.Ordinal)) return PasswordHash.Verify(password, stored);
        try
        {
            return Hasher.VerifyHashedPassword(NoUser, stored, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false; // a damaged stored value never verifies
        }
    }

    public bool NeedsUpgrade(string stored)
    {
        if (stored.StartsWith(LegacyPrefix, StringComparison.Ordinal)) return true;
        // v3 hashes carry their parameters: older (v2, or fewer iterations than today's default) get rehashed.
        try
        {
            var bytes = Convert.FromBase64String(stored);
            return bytes.Length < 13 || bytes[0] != 0x01 || ReadUInt32(bytes, 5) < new PasswordHasherOptions().IterationCount;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static uint ReadUInt32(byte[] b, int at) => (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
}
