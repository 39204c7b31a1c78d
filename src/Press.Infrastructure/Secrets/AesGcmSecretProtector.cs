using System.Security.Cryptography;
using System.Text;
using Press.Core.Ports;

namespace Press.Infrastructure.Secrets;

/// <summary>
/// AES-256-GCM with a key from <c>Press:Secrets:Key</c> (base64 of 32 bytes; from <c>Press__Secrets__Key_FILE</c>
/// in production). Layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector
{
    private const byte Version = 1;
    private readonly byte[] _key;

    public AesGcmSecretProtector(SecretsOptions options)
    {
        byte[]? key = null;
        try { key = Convert.FromBase64String(options.Key ?? ""); } catch (FormatException) { }
        if (key is not { Length: 32 })
            throw new InvalidOperationException(
                "Press:Secrets:Key must be the base64 of 32 random bytes (e.g. `head -c32 /dev/urandom | base64`); " +
                "set Press__Secrets__Key or Press__Secrets__Key_FILE.");
        _key = key;
    }

    public byte[] Protect(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[1 + 12 + 16 + plain.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(29), output.AsSpan(13, 16));
        return output;
    }

    public string Unprotect(byte[] sealedBytes)
    {
        if (sealedBytes.Length < 29 || sealedBytes[0] != Version)
            throw new CryptographicException("Unknown secret format.");
        var plain = new byte[sealedBytes.Length - 29];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedBytes.AsSpan(1, 12), sealedBytes.AsSpan(29), sealedBytes.AsSpan(13, 16), plain);
        return Encoding.UTF8.GetString(plain);
    }
}

/// <summary><c>Press:Secrets</c>.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Press:Secrets";
    public string? Key { get; set; }
}
