using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Secrets;

namespace Press.Infrastructure.Tests.Identity;

/// <summary>The cookie key ring in Press's database: shared by managers, kept across restarts, sealed at rest.</summary>
public sealed class DataProtectionKeyStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    /// <summary>A manager's data protection, wired as Press.Manager wires it.</summary>
    private IDataProtector Manager(Core.Ports.ISecretProtector? secrets = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(secrets ?? f.Secrets);
        services.AddDataProtection().SetApplicationName("press-manager");
        services.Configure<KeyManagementOptions>(o =>
            (o.XmlRepository, o.XmlEncryptor) = (new DataProtectionKeyStore(f.Sources, TimeProvider.System), new SealedXmlEncryptor(secrets ?? f.Secrets)));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
    }

    [Fact]
    public async Task What_one_manager_protects_another_reads_and_the_stored_keys_are_sealed()
    {
        var sealedCookie = Manager().Protect("a session cookie");
        Assert.Equal("a session cookie", Manager().Unprotect(sealedCookie)); // a new process: the same key ring

        Assert.True(await f.SuperScalarAsync<long>("SELECT count(*) FROM data_protection_keys") >= 1);
        // The key's secret is sealed: no <masterKey> in clear, only Press's sealed element.
        var xml = await f.SuperScalarAsync<string>("SELECT string_agg(xml, ' ') FROM data_protection_keys");
        Assert.True(!xml!.Contains("<masterKey", StringComparison.Ordinal) && xml.Contains("<pressSealed", StringComparison.Ordinal), xml);
        // Without Press:Secrets:Key the ring cannot be read: the cookie does not open.
        var wrongKey = new AesGcmSecretProtector(new SecretsOptions { Key = Convert.ToBase64String(new byte[32]) });
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Manager(wrongKey).Unprotect(sealedCookie));
    }
}
