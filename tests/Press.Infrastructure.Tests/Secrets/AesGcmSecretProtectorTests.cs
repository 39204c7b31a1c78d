using System.Security.Cryptography;
using Press.Infrastructure.Secrets;

namespace Press.Infrastructure.Tests.Secrets;

public sealed class AesGcmSecretProtectorTests
{
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static AesGcmSecretProtector Protector(string? key = null) => new(new SecretsOptions { Key = key ?? NewKey() });

    [Theory]
    [InlineData("")]
    [InlineData("Kp3xZ9mQ2vR7tY4wE8uI1oP6aS5dF0gH")]
    [InlineData("üñíçødé — 密码 🔑")]
    public void Round_trips(string secret)
    {
        var p = Protector();
        var sealedBytes = p.Protect(secret);
        Assert.Equal(secret, p.Unprotect(sealedBytes));
        Assert.Equal(1 + 12 + 16 + System.Text.Encoding.UTF8.GetByteCount(secret), sealedBytes.Length);
        Assert.Equal(1, sealedBytes[0]);
    }

    [Fact]
    public void The_same_secret_seals_differently_each_time()
    {
        var p = Protector();
        var sealedOnce = p.Protect("same password");
        var sealedTwice = p.Protect("same password");
        Assert.NotEqual(sealedOnce, sealedTwice);
        Assert.NotEqual(sealedOnce.AsSpan(1, 12).ToArray(), sealedTwice.AsSpan(1, 12).ToArray()); // fresh nonce
        Assert.Equal(p.Unprotect(sealedOnce), p.Unprotect(sealedTwice));
    }

    [Theory]
    [InlineData(0)]  // version byte
    [InlineData(1)]  // nonce
    [InlineData(20)] // tag
    [InlineData(29)] // ciphertext
    [InlineData(-1)] // last ciphertext byte
    public void Any_tampered_byte_is_refused(int index)
    {
        var p = Protector();
        var sealedBytes = p.Protect("a site database password");
        sealedBytes[index < 0 ? sealedBytes.Length + index : index] ^= 0x01;
        Assert.ThrowsAny<CryptographicException>(() => p.Unprotect(sealedBytes));
    }

    [Fact]
    public void Truncated_input_is_refused()
    {
        var p = Protector();
        var sealedBytes = p.Protect("a site database password");
        Assert.ThrowsAny<CryptographicException>(() => p.Unprotect(sealedBytes[..28]));
        Assert.ThrowsAny<CryptographicException>(() => p.Unprotect(sealedBytes[..^1]));
        Assert.ThrowsAny<CryptographicException>(() => p.Unprotect([]));
    }

    [Fact]
    public void Another_key_cannot_open_it()
    {
        var sealedBytes = Protector().Protect("a site database password");
        Assert.ThrowsAny<CryptographicException>(() => Protector().Unprotect(sealedBytes));
    }

    public static TheoryData<string?> BadKeys => new(
        null,
        "",
        "not base64 at all!",
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(31)),
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)));

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_key_fails_at_startup_saying_what_to_set(string? key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new AesGcmSecretProtector(new SecretsOptions { Key = key }));
        Assert.Contains("Press__Secrets__Key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(key)) Assert.DoesNotContain(key, ex.Message, StringComparison.Ordinal); // never echo the key
    }
}
