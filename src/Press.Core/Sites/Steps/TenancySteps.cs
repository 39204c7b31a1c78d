using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

// The database side of a site. Each step delegates to ITenantDatabase, whose operations inspect the catalog first,
// so running a step twice (a worker died after the effect) changes nothing the second time.

public sealed class CreateRoleStep(ITenantDatabase db, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.CreateRole;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.EnsureRoleAsync(c.Site, secrets.Unprotect(c.Site.EncryptedPassword), ct));
}

public sealed class CreateSchemaStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.CreateSchema;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.EnsureSchemaAsync(c.Site, ct));
}

public sealed class ConfigureRoleStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.ConfigureRole;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.ConfigureRoleAsync(c.Site, ct));
}

public sealed class VerifyLoginStep(ITenantDatabase db, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.VerifyLogin;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.VerifyLoginAsync(c.Site, secrets.Unprotect(c.Site.EncryptedPassword), ct));
}

public sealed class DisableLoginStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.DisableLogin;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.SetLoginAsync(c.Site, canLogin: false, ct));
}

public sealed class EnableLoginStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.EnableLogin;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.SetLoginAsync(c.Site, canLogin: true, ct));
}

public sealed class TerminateConnectionsStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.TerminateConnections;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.TerminateConnectionsAsync(c.Site, ct));
}

public sealed class DropSchemaStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.DropSchema;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.DropSchemaAsync(c.Site, ct));
}

public sealed class DropRoleStep(ITenantDatabase db) : IJobStep
{
    public string Name => StepNames.DropRole;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await db.DropRoleAsync(c.Site, ct));
}

/// <summary>
/// The site's database exists and is hardened before its schema is made there (docs/architecture.md §16): placement
/// may have chosen a database no site used yet. A move makes sure of the database it moves the site to.
/// </summary>
public sealed class CreateSiteDatabaseStep(ISiteDatabases databases) : IJobStep
{
    public string Name => StepNames.CreateSiteDatabase;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StepResult.Ok(await databases.EnsureAsync(Backups.Steps.BackupContext.DataDatabase(c), ct));
}
