using System.Globalization;

namespace Press.Core.Tenancy;

/// <summary>One site database as placement sees it: its name, whether an operator closed it, how many sites it holds.</summary>
public sealed record SiteDatabaseFill(string Name, bool Closed, int Sites);

/// <summary>
/// Where a new site goes (docs/architecture.md §16): the least-filled site database that is not closed and holds fewer
/// than <see cref="SitesPerDatabase"/> sites (ties: the oldest name); when every one is full, the next database,
/// which the new-site recipe creates. The first site database is the one bootstrap creates (<see cref="First"/>,
/// <c>press_sites</c>, where existing installations already keep their sites); the next are <c>press_sites_002</c>,
/// <c>press_sites_003</c>, …
/// </summary>
public sealed record SitePlacement(string First, int SitesPerDatabase)
{
    /// <summary>Enough for 1,000 sites per host at any cap, and a name PostgreSQL keeps whole (63 bytes).</summary>
    public const int MaxDatabases = 999;

    public string Choose(IReadOnlyCollection<SiteDatabaseFill> databases)
    {
        var ours = databases.Where(d => Index(d.Name) is not null).ToList();
        var open = ours.Where(d => !d.Closed && d.Sites < SitesPerDatabase)
            .OrderBy(d => d.Sites).ThenBy(d => Index(d.Name)).FirstOrDefault();
        if (open is not null) return open.Name;
        var next = ours.Count == 0 ? 1 : ours.Max(d => Index(d.Name)!.Value) + 1;
        if (next > MaxDatabases)
            throw new InvalidOperationException($"all {MaxDatabases} site databases are full or closed; raise tenancy.sitesPerDatabase or reopen one");
        return NameAt(next);
    }

    /// <summary>The database's place in the sequence (1 for <see cref="First"/>), or null when it is not one of Press's.</summary>
    public int? Index(string database)
    {
        if (database == First) return 1;
        var prefix = First + "_";
        return database.Length == prefix.Length + 3 && database.StartsWith(prefix, StringComparison.Ordinal)
               && int.TryParse(database.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2
            ? n
            : null;
    }

    public string NameAt(int index) => index == 1 ? First : $"{First}_{index.ToString("000", CultureInfo.InvariantCulture)}";

    /// <summary>Whether a database is full at this cap (its state as placement records it).</summary>
    public bool IsFull(int sites) => sites >= SitesPerDatabase;
}
