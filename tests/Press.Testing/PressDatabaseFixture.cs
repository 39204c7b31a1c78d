using Xunit;

namespace Press.Testing;

/// <summary>xunit class fixture: one bootstrapped Press installation per test class.</summary>
public sealed class PressDatabaseFixture : IAsyncLifetime
{
    private PressDatabase? _db;

    public PressDatabase Db => _db ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync() => _db = await PressDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }
}
