using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Core.Sites;

/// <summary>
/// Where a site may move (docs/architecture.md §16): only into a site database Press records and made, not the one it
/// is in, not one an operator closed, not a full one. Moving into a database that does not exist yet is not offered:
/// placement makes the next database when every one is full, and an operator who wants a fresh one lowers
/// <c>tenancy.sitesPerDatabase</c> or closes the others for a create.
/// </summary>
public static class SiteMoveRules
{
    /// <summary>What is wrong with <paramref name="target"/> as a request (field <c>database</c>, 400); empty when nothing.</summary>
    public static IReadOnlyList<string> Problems(string? target, IReadOnlyCollection<SiteDatabaseFill> databases)
    {
        var known = string.Join(", ", databases.Select(d => d.Name).Order(StringComparer.Ordinal));
        if (string.IsNullOrWhiteSpace(target))
            return [$"'database' is required: the site database to move the site to (one of: {known})."];
        if (databases.All(d => d.Name != target))
            return [$"'{target}' is not a site database of this installation (one of: {known}); a site moves only into a database Press made."];
        return [];
    }

    /// <summary>Why the database cannot take the site now (409): the site is there already, or it is closed or full; null
    /// when it can.</summary>
    public static string? Refusal(SiteDatabaseFill target, string current, int sitesPerDatabase) =>
        target.Name == current ? $"The site is already in database {target.Name}: a move needs another database."
        : target.Closed ? $"Database {target.Name} is closed by an operator: no site goes there."
        : target.Sites >= sitesPerDatabase
            ? $"Database {target.Name} is full: it holds {target.Sites} site(s) and tenancy.sitesPerDatabase is {sitesPerDatabase}. Pick another, or raise the setting."
            : null;
}

/// <summary>The move of an active site to another site database (job MoveSite): checked here, run by the worker.</summary>
public sealed class SiteMoves(ISiteCommands commands, ISiteStore sites, ISiteDatabases databases, ISettingsStore settings, IJobSignals signals)
{
    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ValidationException">No database named, or one Press does not record.</exception>
    /// <exception cref="ConflictException">The site is in that database already, it is closed or full, the site is not
    /// Active, or another job of the site runs.</exception>
    public async Task<Job> MoveAsync(string name, string? database, Actor actor, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw SiteErrors.NotFound(name);
        var known = await databases.ListAsync(ct);
        var problems = new Dictionary<string, List<string>>();
        problems.AddAll("database", SiteMoveRules.Problems(database, known));
        ValidationException.ThrowIfAny(problems);
        var target = known.Single(d => d.Name == database);
        if (SiteMoveRules.Refusal(target, site.Location.Database, (await settings.GetAsync(ct)).SitesPerDatabase) is { } refusal)
            throw new ConflictException(refusal);

        var args = new Dictionary<string, string> { [JobArgs.Database] = target.Name, [JobArgs.FromDatabase] = site.Location.Database };
        var job = await commands.EnqueueAsync(name, Recipes.MoveSite, [SiteState.Active], actor.Did("site.move", name, details: args), ct,
            args, Backups.BackupTriggers.For(Recipes.MoveSite));
        // Best effort: a missed wake-up only delays the job until the next poll.
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }
}
