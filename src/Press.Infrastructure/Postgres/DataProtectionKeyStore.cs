using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Press.Core.Ports;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// ASP.NET Core data protection's key ring in Press's database (its documented extension point, <see cref="IXmlRepository"/>),
/// so every manager decrypts the same cookies and a restart or a new container signs nobody out. The framework's own
/// choices (a folder per machine) fit neither several managers nor containers. Keys reach this store already sealed
/// by <see cref="SealedXmlEncryptor"/>. The interface is synchronous; it is called when the key ring is (re)loaded,
/// about once a day, not per request.
/// </summary>
public sealed class DataProtectionKeyStore(PressDataSources sources, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = sources.Metadata.OpenConnection();
        using var cmd = Sql.Command(conn, "SELECT xml FROM data_protection_keys ORDER BY created_at, name");
        using var r = cmd.ExecuteReader();
        var keys = new List<XElement>();
        while (r.Read()) keys.Add(XElement.Parse(r.GetString(0)));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var conn = sources.Metadata.OpenConnection();
        using var cmd = Sql.Command(conn, "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@n, @x, @now) ON CONFLICT (name) DO NOTHING",
            ("n", friendlyName), ("x", element.ToString(SaveOptions.DisableFormatting)), ("now", time.GetUtcNow()));
        cmd.ExecuteNonQuery();
    }
}

/// <summary>
/// Seals each data-protection key with <see cref="ISecretProtector"/> (Press:Secrets:Key, AES-256-GCM) before it is stored,
/// as site passwords are: the framework's encryptors are Windows DPAPI, certificates or Azure Key Vault, none of which a
/// Press host has.
/// </summary>
public sealed class SealedXmlEncryptor(ISecretProtector secrets) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("pressSealed", Convert.ToBase64String(secrets.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting)))),
            typeof(SealedXmlDecryptor));
}

/// <summary>The other half of <see cref="SealedXmlEncryptor"/>; the framework creates it by type with the service provider.</summary>
public sealed class SealedXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(services.GetRequiredService<ISecretProtector>().Unprotect(Convert.FromBase64String(encryptedElement.Value)));
}
