using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sites.Steps;

namespace Press.Core.Backups.Steps;

// A site's move to another site database (Recipes.MoveSite, docs/architecture.md §16). The copy is made with the
// restore's own steps (restore-database and check-restore put the job's backup into a fresh schema of the target
// database); until switch-database nothing the site uses changes. The schema keeps its name: it is opaque, per site,
// and the site role's search_path names it, so only the database changes.

internal static class MoveArgs
{
    public static (string From, string To) Of(StepContext c) =>
        (c.Job.Arg(JobArgs.FromDatabase) is { Length: > 0 } from ? from
             : throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no database the site moves from"),
         c.DataDatabase());
}

/// <summary>The site's role may connect to the database it moves to: the restore runs logged in with its powers.</summary>
public sealed class GrantConnectStep(ITenantDatabase tenants) : IJobStep
{
    public string Name => StepNames.GrantConnect;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await tenants.SetConnectAsync(c.Site, c.DataDatabase(), canConnect: true, ct));
}

/// <summary>
/// The moment the site changes database, while its role cannot log in: the site recorded in the target database (one
/// metadata transaction, its turn taken with the creates' placement so the target cannot pass the cap), the kept
/// schema put on record for the rollback window, the restored copy renamed to the live name there, the old schema
/// renamed to the kept name in the old database, and the role's CONNECT on the old database revoked. Every part looks
/// first, so a worker killed half-way finishes the switch on the next run.
/// </summary>
public sealed class SwitchDatabaseStep(ISchemaArchive archive, ISiteStore sites, ITenantDatabase tenants, IRestoreLog restores,
    ISettingsStore settings, TimeProvider time) : IJobStep
{
    public string Name => StepNames.SwitchDatabase;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (from, to) = MoveArgs.Of(c);
        var (live, role) = (c.Site.Location.Schema, c.Site.RoleName);
        var fresh = RestoreNames.FreshSchema(live, c.RestoreId());
        var previous = RestoreNames.PreviousSchema(live, c.RestoreId());
        var said = new List<string>();
        var current = await settings.GetAsync(ct);

        if (c.Site.Location.Database == from)
        {
            if (!await archive.SchemaExistsAsync(to, fresh, ct) && !await archive.SchemaExistsAsync(to, live, ct))
                return StepResult.Permanent($"the copy {fresh} is not in {to}: nothing to switch to");
            if (!await sites.SwitchDatabaseAsync(c.Site.Id, from, to, current.SitesPerDatabase, ct))
                return StepResult.Permanent(
                    $"database {to} filled up (tenancy.sitesPerDatabase = {current.SitesPerDatabase}) while the site was copied there; the site stays in {from}");
            said.Add($"site recorded in {to}");
        }
        else if (c.Site.Location.Database == to) said.Add($"already recorded in {to}");
        else return StepResult.Permanent($"the site is in {c.Site.Location.Database}, neither {from} nor {to}: another operation moved it");

        var now = time.GetUtcNow();
        var until = now + TimeSpan.FromHours(current.RestoreRollbackHours);
        await restores.RecordSwapAsync(new SiteRestore(c.Job.Id, c.Site.Id, c.Job.Id, c.RestoreId(), previous, now, until, null, null)
            { PreviousDatabase = from }, ct);

        if (await archive.SchemaExistsAsync(to, fresh, ct) && !await archive.SchemaExistsAsync(to, live, ct))
        {
            await archive.RenameSchemasAsync(to, role, [(fresh, live)], ct);
            said.Add($"{to}: {fresh} → {live}");
        }
        if (await archive.SchemaExistsAsync(from, live, ct) && !await archive.SchemaExistsAsync(from, previous, ct))
        {
            await archive.RenameSchemasAsync(from, role, [(live, previous)], ct);
            said.Add($"{from}: {live} → {previous}, kept until {until:O}");
        }
        said.Add(await tenants.SetConnectAsync(c.Site, from, canConnect: false, ct));
        return StepResult.Ok(string.Join("; ", said));
    }
}

/// <summary>
/// The move's undo: the site ends in the database it was in, as it was. The old schema gets its live name back before
/// the record points there again; the copy in the target database is dropped only once the old schema is live (it is
/// never the only copy), and the role loses CONNECT there; site_config.json and the runner follow the record back if
/// they had moved; LOGIN and maintenance as before. Each part checks first.
/// </summary>
public sealed class UndoMoveStep(IJobStore jobs, ISiteStore sites, ISchemaArchive archive, ITenantDatabase tenants, IRestoreLog restores,
    ISiteRuntime runtime, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.UndoMove;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (from, to) = MoveArgs.Of(c);
        var site = await sites.GetAsync(c.Site.Id, ct) ?? c.Site;
        var (live, role) = (site.Location.Schema, site.RoleName);
        var fresh = RestoreNames.FreshSchema(live, c.RestoreId());
        var previous = RestoreNames.PreviousSchema(live, c.RestoreId());
        var job = await jobs.GetAsync(c.Job.Id, ct) ?? c.Job;
        bool Started(string step) => job.Steps.Any(s => s.Name == step && s.State != StepState.Pending);
        var said = new List<string>();

        if (await archive.SchemaExistsAsync(from, previous, ct) && !await archive.SchemaExistsAsync(from, live, ct))
        {
            await archive.RenameSchemasAsync(from, role, [(previous, live)], ct);
            said.Add($"{from}: {previous} → {live}");
        }
        said.Add(await tenants.SetConnectAsync(site, from, canConnect: true, ct));
        if (site.Location.Database == to)
        {
            await sites.SwitchDatabaseAsync(site.Id, to, from, cap: null, ct);
            site = await sites.GetAsync(site.Id, ct) ?? site;
            said.Add($"site recorded in {from} again");
        }
        await restores.ForgetAsync(c.Job.Id, ct);

        if (!Started(StepNames.GrantConnect)) said.Add($"nothing was done in {to}");
        else if (await archive.SchemaExistsAsync(from, live, ct))
        {
            if (await archive.SchemaExistsAsync(to, live, ct)) said.Add(await archive.DropSchemaAsync(to, live, role, ct) + $" in {to}");
            said.Add(await archive.DropSchemaAsync(to, fresh, role, ct) + $" in {to}");
            said.Add(await tenants.SetConnectAsync(site, to, canConnect: false, ct));
        }
        else said.Add($"schema {live} is not in {from}: the copy in {to} and the role's CONNECT there are kept for an operator");

        if (Started(StepNames.WriteSiteConfig) && runtime.NotServing(site) is null)
        {
            said.Add((await runtime.WriteConfigAsync(site, secrets.Secrets(site), ct)).Message);
            said.Add((await runtime.StopAsync(site, ct)).Message);
            said.Add((await runtime.StartAsync(site, ct)).Message);
        }
        if (Started(StepNames.DisableLogin)) said.Add(await tenants.SetLoginAsync(site, canLogin: true, ct));
        if (Started(StepNames.EnterMaintenance)) said.Add((await runtime.SetMaintenanceAsync(site, false, ct)).Message);
        return StepResult.Ok(string.Join("; ", said));
    }
}
