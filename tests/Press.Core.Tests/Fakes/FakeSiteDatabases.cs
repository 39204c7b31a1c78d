using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Core.Tests.Fakes;

/// <summary>Records which site databases were asked for; each exists once asked. <see cref="Known"/> is what placement
/// records (the list a move checks against).</summary>
public sealed class FakeSiteDatabases : ISiteDatabases
{
    public List<string> Ensured { get; } = [];
    public List<SiteDatabaseFill> Known { get; } = [];

    public Task<IReadOnlyList<SiteDatabaseFill>> ListAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SiteDatabaseFill>>(Known.ToList());

    public Task<string> EnsureAsync(string database, CancellationToken ct)
    {
        var existed = Ensured.Contains(database);
        Ensured.Add(database);
        return Task.FromResult(existed ? $"database {database} already existed" : $"created database {database}");
    }
}
