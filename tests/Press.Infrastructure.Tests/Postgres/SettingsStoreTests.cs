using Press.Core.Settings;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Postgres;

public sealed class SettingsStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task Unset_keys_take_defaults_and_set_values_replace_them()
    {
        var store = new SettingsStore(f.Sources, TimeProvider.System);
        Assert.Equal(PressSettings.Defaults, await store.GetAsync(CancellationToken.None));

        await store.SetAsync(PressSettings.SoftDeleteRetentionDaysKey, "7", "alice", CancellationToken.None);
        await store.SetAsync(PressSettings.SoftDeleteRetentionDaysKey, "9", "bob", CancellationToken.None);

        Assert.Equal(9, (await store.GetAsync(CancellationToken.None)).SoftDeleteRetentionDays);
        Assert.Equal("9", (await store.ListAsync(CancellationToken.None))[PressSettings.SoftDeleteRetentionDaysKey]);
        Assert.Equal("bob", await f.SuperScalarAsync<string>("SELECT updated_by FROM settings WHERE key = @k",
            ("k", PressSettings.SoftDeleteRetentionDaysKey)));
    }
}
