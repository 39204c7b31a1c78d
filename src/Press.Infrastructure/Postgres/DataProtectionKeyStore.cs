using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Press.Core.Ports;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// ASP.NET Core data protection's key ring in Press's database (its documented extension point, <see cref="IXmlRepository"/>),
/// so every manager decrypts the same cookies and a restart or a new container signs nobody out. The framework's own
/// choices (a folder per machine, keys in plain XML) fit neither several managers nor containers. Each key is sealed
/// with <see cref="ISecretProtector"/> (Press:Secrets:Key) before it is stored. The interface is synchronous; it is
/// called when the key ring is (re)loaded, about once a day, not per request.
/// </summary>
public sealed class DataProtectionKeyStore(PressDataSources sources, ISecretProtector secrets, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = sources.Metadata.OpenConnection();
        using var cmd = Sql.Command(conn, "SELECT xml_sealed FROM data_protection_keys ORDER BY created_at, name");
        using var r = cmd.ExecuteReader();
        var keys = new List<XElement>();
        while (r.Read()) keys.Add(XElement.Parse(secrets.Unprotect(r.GetFieldValue<byte[]>(0))));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var conn = sources.Metadata.OpenConnection();
        using var cmd = Sql.Command(conn, """
            INSERT INTO data_protection_keys (name, xml_sealed, created_at) VALUES (@n, @x, @now) ON CONFLICT (name) DO NOTHING
            """, ("n", friendlyName), ("x", secrets.Protect(element.ToString(SaveOptions.DisableFormatting))), ("now", time.GetUtcNow()));
        cmd.ExecuteNonQuery();
    }
}
