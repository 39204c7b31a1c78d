using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// Class fixture: a fresh Press installation (<see cref="PressDatabase"/>) with its manager running as a child process
/// and an API client holding an admin token. Workers are started by the tests, because crash tests decide exactly
/// which worker may claim a job.
/// </summary>
public class ManagerFixture : IAsyncLifetime
{
    private PressDatabase? _db;
    private PressProcess? _manager;
    private PressApi? _api;

    public PressDatabase Db => _db ?? throw new InvalidOperationException("fixture not initialised");
    public PressProcess Manager => _manager ?? throw new InvalidOperationException("fixture not initialised");
    public PressApi Api => _api ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync()
    {
        try
        {
            _db = await PressDatabase.CreateAsync();
            _manager = await PressProcess.StartManagerAsync(_db);
            _api = await PressApi.LoginAsync(_manager.BaseUrl, _db.AdminPassword);
            await SetUpAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>More setup for derived fixtures, once the manager answers.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>More teardown for derived fixtures, before the manager stops.</summary>
    protected virtual Task TearDownAsync() => Task.CompletedTask;

    /// <summary>Idempotent: runs after a failed initialisation too.</summary>
    public async Task DisposeAsync()
    {
        await TearDownAsync();
        _api?.Dispose();
        _api = null;
        if (_manager is { } manager)
        {
            _manager = null;
            await manager.DisposeAsync();
        }
        if (_db is { } db)
        {
            _db = null;
            await db.DisposeAsync();
        }
    }
}
