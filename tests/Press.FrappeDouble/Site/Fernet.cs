using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The Fernet token format (cryptography's <c>Fernet</c>, which frappe/utils/password.py uses for every Password
/// field): a url-safe base64 key of 32 bytes (16 to sign with HMAC-SHA256, 16 to encrypt with AES-128-CBC), tokens
/// <c>0x80 | timestamp | IV | ciphertext | HMAC</c>. Written here because the format is a page long and no NuGet
/// package of the test environment implements it; a token made with another key fails its HMAC check, as in Python.
/// </summary>
public static class Fernet
{
    public static string GenerateKey() => ToBase64Url(RandomNumberGenerator.GetBytes(32));

    public static string Encrypt(string key, string plaintext)
    {
        var (signing, encryption) = Split(key);
        using var aes = Aes.Create();
        aes.Key = encryption;
        var iv = RandomNumberGenerator.GetBytes(16);
        var cipher = aes.EncryptCbc(System.Text.Encoding.UTF8.GetBytes(plaintext), iv);
        var body = new byte[1 + 8 + 16 + cipher.Length];
        body[0] = 0x80;
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(1), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        iv.CopyTo(body, 9);
        cipher.CopyTo(body, 25);
        return ToBase64Url([.. body, .. HMACSHA256.HashData(signing, body)]);
    }

    /// <returns>null when the token was not made with this key (Python raises InvalidToken).</returns>
    public static string? Decrypt(string key, string token)
    {
        var (signing, encryption) = Split(key);
        byte[] data;
        try { data = FromBase64Url(token); }
        catch (FormatException) { return null; }
        if (data.Length < 1 + 8 + 16 + 16 + 32 || data[0] != 0x80) return null;
        var body = data.AsSpan(0, data.Length - 32);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(signing, body), data.AsSpan(data.Length - 32))) return null;
        using var aes = Aes.Create();
        aes.Key = encryption;
        return System.Text.Encoding.UTF8.GetString(aes.DecryptCbc(body[25..], body.Slice(9, 16)));
    }

    private static (byte[] Signing, byte[] Encryption) Split(string key)
    {
        var bytes = FromBase64Url(key);
        return bytes.Length == 32 ? (bytes[..16], bytes[16..]) : throw new ArgumentException("Fernet key must be 32 url-safe base64-encoded bytes.");
    }

    private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/'));
}
