namespace Press.Core.Ports;

/// <summary>The site databases of the cluster (docs/architecture.md §16).</summary>
public interface ISiteDatabases
{
    /// <summary>
    /// Creates the site database when it does not exist yet and applies the same hardening bootstrap applies to the
    /// first one; says what it found. Idempotent, and safe when two jobs ask for the same database at once.
    /// </summary>
    Task<string> EnsureAsync(string database, CancellationToken ct);

    /// <summary>Every site database Press records, with its state and how many sites it holds.</summary>
    Task<IReadOnlyList<Tenancy.SiteDatabaseFill>> ListAsync(CancellationToken ct);
}
