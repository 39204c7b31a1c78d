using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Secrets;

namespace Press.Infrastructure.Tests.Identity;

/// <summary>The cookie key ring in Press's database: shared by managers, kept across restarts, sealed at rest.</summary>
public sealed class DataProtectionKeyStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private IDataProtector Manager()
    {
        var store = new DataProtectionKeyStore(f.Sources, f.Secrets, TimeProvider.System);
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("press-manager");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = store);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
    }

    [Fact]
    public async Task What_one_manager_protects_another_reads_and_the_stored_keys_are_sealed()
    {
        var sealedCookie = Manager().Protect("a session cookie");
        Assert.Equal("a session cookie", Manager().Unprotect(sealedCookie)); // a new process: the same key ring

        Assert.True(await f.SuperScalarAsync<long>("SELECT count(*) FROM data_protection_keys") >= 1);
        Assert.Equal(0L, await f.SuperScalarAsync<long>(
            "SELECT count(*) FROM data_protection_keys WHERE position(convert_to('masterKey', 'UTF8') in xml_sealed) > 0"));
        var wrongKey = new AesGcmSecretProtector(new SecretsOptions { Key = Convert.ToBase64String(new byte[32]) });
        var blind = new DataProtectionKeyStore(f.Sources, wrongKey, TimeProvider.System);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => blind.GetAllElements());
    }
}
