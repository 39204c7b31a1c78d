using System.Text;
using Press.Core.Ports;

namespace Press.Core.Tests.Fakes;

/// <summary>A reversible, visibly non-identity "encryption" (XOR), so a test can tell sealed from plain.</summary>
public sealed class FakeSecretProtector : ISecretProtector
{
    private const byte Key = 0x5A;

    public int Unprotects { get; private set; }

    public byte[] Protect(string plaintext) => Encoding.UTF8.GetBytes(plaintext).Select(b => (byte)(b ^ Key)).ToArray();

    public string Unprotect(byte[] sealedBytes)
    {
        Unprotects++;
        return Encoding.UTF8.GetString(sealedBytes.Select(b => (byte)(b ^ Key)).ToArray());
    }
}
