using Press.Core.Ports;

namespace Press.Core.Tests.Fakes;

/// <summary>Records which site databases were asked for; each exists once asked.</summary>
public sealed class FakeSiteDatabases : ISiteDatabases
{
    public List<string> Ensured { get; } = [];

    public Task<string> EnsureAsync(string database, CancellationToken ct)
    {
        var existed = Ensured.Contains(database);
        Ensured.Add(database);
        return Task.FromResult(existed ? $"database {database} already existed" : $"created database {database}");
    }
}
