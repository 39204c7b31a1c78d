namespace Press.Core.Ports;

/// <summary>Encrypts secrets at rest (site database passwords) with a key from env or a secret file.</summary>
public interface ISecretProtector
{
    byte[] Protect(string plaintext);
    string Unprotect(byte[] sealedBytes);
}
