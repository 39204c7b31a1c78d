using System.Net.Http.Headers;
using Press.Core.Backups;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Health;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>Backups of a site, downloads of their parts, restores in place and their rollback (docs/architecture.md §6).</summary>
public static class BackupsApi
{
    private static readonly string[] RestoreFields = ["backupId"];
    public static readonly TimeSpan DownloadLinkLifetime = TimeSpan.FromMinutes(15);

    public static void MapBackupsApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Backups");

        sites.MapPost("/{name}/backups", async (string name, HttpContext http, SiteOperations ops, CancellationToken ct) =>
                Accepted(await ops.BackupAsync(name, http.Actor(), ct)))
            .RequireAuthorization(Policies.Operator)
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Back up the site now: returns the BackupSite job (202); the backup's id is the job's id.");

        sites.MapPost("/{name}/backups/verify", async (string name, HttpContext http, SiteOperations ops, CancellationToken ct) =>
                Accepted(await ops.VerifyBackupAsync(name, http.Actor(), ct)))
            .RequireAuthorization(Policies.Operator)
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Verify the site's newest good backup now (the scheduler does it weekly): restores it into a scratch schema, compares tables and row counts with its manifest and records the result on the backup.");

        sites.MapGet("/{name}/backups", ListAsync)
            .RequireAuthorization(Policies.Viewer)
            .Produces<BackupListDto>().ProducesProblem(404)
            .WithSummary("The site's backups, newest first (pruned ones included; a soft-deleted site's too), with when the newest good one finished, whether the site's backups are stale, and until when its latest restore can be rolled back.");

        sites.MapPost("/{name}/restore", RestoreAsync)
            .RequireAuthorization(Policies.Operator)
            .DocumentsJsonBody<RestoreRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Restore one of the site's good backups in place: returns the RestoreSite job (202). The replaced data is kept for a rollback window.");

        sites.MapPost("/{name}/rollback-restore", async (string name, HttpContext http, SiteOperations ops, TimeProvider time, CancellationToken ct) =>
                Accepted(await ops.RollbackRestoreAsync(name, http.Actor(), time, ct)))
            .RequireAuthorization(Policies.Operator)
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Undo the site's latest restore while its rollback window lasts: returns the job (202); 409 when there is nothing to roll back.");

        var backups = api.MapGroup("/backups").WithTags("Backups");

        // {id} without a :guid constraint so a malformed id is a 400 that says so, not a 404.
        backups.MapGet("/{id}", GetAsync)
            .RequireAuthorization(Policies.Viewer)
            .Produces<BackupDto>().ProducesValidationProblem().ProducesProblem(404)
            .WithSummary("One backup: state, sizes, verification and manifest.");

        backups.MapGet("/{id}/download", DownloadAsync)
            .RequireAuthorization(Policies.Operator)
            .Produces<BackupDownloadDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("A link to download one part of a backup (part=database|files|config|manifest; config is sealed, for Press only): presigned for 15 minutes (S3), or the manager's own parts URL (folder store). Audited.");

        backups.MapGet("/{id}/parts/{part}", StreamPartAsync)
            .RequireAuthorization(Policies.Operator)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("The bytes of one part of a backup, streamed (for stores without presigned links).");
    }

    private static IResult Accepted(Core.Jobs.Job job) => Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));

    private static async Task<IResult> ListAsync(string name, HttpContext http, CancellationToken ct) =>
        await ListForAsync(name, http.RequestServices, ct) is { } list ? Results.Ok(list) : NotFound(SiteErrors.NoSiteNamed(name));

    /// <summary>The site's backups with staleness and the rollback window (the API's list and the site page's); null: no such site.</summary>
    public static async Task<BackupListDto?> ListForAsync(string name, IServiceProvider services, CancellationToken ct)
    {
        var site = await services.GetRequiredService<ISiteStore>().FindByNameAsync(name, ct);
        if (site is null) return null;
        var list = await services.GetRequiredService<IBackupStore>().ListForSiteAsync(site.Id, ct);
        var newestGoodAt = list.Where(b => b.State == BackupState.Good).Max(b => b.FinishedAt);
        var hours = (await services.GetRequiredService<ISettingsStore>().GetAsync(ct)).BackupStaleAfterHours;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var stale = BackupStaleness.IsStale(site.State, site.CreatedAt, newestGoodAt, now, hours);
        var restore = await services.GetRequiredService<IRestoreLog>().CurrentAsync(site.Id, ct);
        return new BackupListDto(list.Select(BackupDto.From).ToList(), newestGoodAt, stale,
            restore is { } r && r.RollbackUntil >= now ? r.RollbackUntil : null);
    }

    private static async Task<IResult> RestoreAsync(string name, HttpContext http, SiteOperations ops, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, RestoreFields, ct);
        var id = body.RequiredString("backupId", "\"0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b\"");
        var backupId = Guid.Empty;
        if (id is not null && !Guid.TryParse(id, out backupId))
            body.Add("backupId", $"'backupId' must be a backup's id (a UUID such as \"0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b\"), not '{Clip(id)}'; GET /api/sites/{name}/backups lists them.");
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        return Accepted(await ops.RestoreAsync(name, backupId, http.Actor(), ct));
    }

    private static async Task<IResult> GetAsync(string id, IBackupStore backups, CancellationToken ct)
    {
        if (ParseId(id) is not { } backupId) return InvalidId(id);
        return await backups.GetAsync(backupId, ct) is { } backup
            ? Results.Ok(BackupDto.From(backup))
            : NotFound($"No backup {backupId}.");
    }

    private static async Task<IResult> DownloadAsync(string id, string? part, HttpContext http, IBackupStore backups, IObjectStore store,
        IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        var backupId = ParseId(id);
        if (backupId is null) problems["id"] = [IdProblem(id)];
        if (PartProblem(part) is { } partProblem) problems["part"] = [partProblem];
        if (problems.Count > 0) return Problems.Invalid(problems);

        var (backup, stored, refusal) = await FindPartAsync(backups, backupId!.Value, part!, ct);
        if (refusal is not null) return refusal;

        Uri? presigned;
        try
        {
            presigned = await store.DownloadUrlAsync(stored!.Key, DownloadLinkLifetime, ct);
        }
        catch (ObjectNotFoundException)
        {
            return NotFound($"The {part} part of backup {backupId} is recorded but missing from the object store.");
        }
        var url = presigned?.ToString() ?? $"/api/backups/{backupId}/parts/{part}";
        await audit.WriteAsync(http.Actor().Did("backup.download", backup!.SiteName, target: backupId.ToString(),
            details: new Dictionary<string, string> { ["part"] = part!, ["link"] = presigned is null ? "manager" : "presigned" }), ct);
        return Results.Ok(new BackupDownloadDto(part!, url, time.GetUtcNow() + DownloadLinkLifetime));
    }

    /// <summary>Streams one part of a backup (the API's parts endpoint, and the pages' download).</summary>
    public static async Task<IResult> StreamPartAsync(string id, string part, IBackupStore backups, IObjectStore store, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        var backupId = ParseId(id);
        if (backupId is null) problems["id"] = [IdProblem(id)];
        if (PartProblem(part) is { } partProblem) problems["part"] = [partProblem];
        if (problems.Count > 0) return Problems.Invalid(problems);

        var (backup, stored, refusal) = await FindPartAsync(backups, backupId!.Value, part, ct);
        if (refusal is not null) return refusal;
        Stream content;
        try
        {
            content = await store.OpenReadAsync(stored!.Key, ct);
        }
        catch (ObjectNotFoundException)
        {
            return NotFound($"The {part} part of backup {backupId} is recorded but missing from the object store.");
        }
        var fileName = $"{backup!.SiteName}-{backup.Id.ToString("N")[..8]}-{part}.{BackupParts.FileExtension(part)}";
        return new StreamedPart(content, stored.Size, fileName);
    }

    /// <summary>The backup and its recorded part, or the problem to answer: 404 unknown backup or part, 409 pruned.</summary>
    private static async Task<(Backup?, BackupPart?, IResult?)> FindPartAsync(IBackupStore backups, Guid backupId, string part, CancellationToken ct)
    {
        var backup = await backups.GetAsync(backupId, ct);
        if (backup is null) return (null, null, NotFound($"No backup {backupId}."));
        if (backup.State == BackupState.Pruned)
            return (backup, null, Results.Problem(statusCode: 409, title: "Conflict",
                detail: $"Backup {backupId} was pruned by retention; its data no longer exists."));
        if (backup.Part(part) is not { } stored)
            return (backup, null, NotFound($"Backup {backupId} ({backup.State}) has no {part} part{(backup.State == BackupState.Running ? " yet" : "")}."));
        return (backup, stored, null);
    }

    private static Guid? ParseId(string id) => Guid.TryParse(id, out var g) ? g : null;

    private static string IdProblem(string id) =>
        $"'{Clip(id)}' is not a backup id: use the UUID of a backup, e.g. /api/backups/0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b (GET /api/sites/{{name}}/backups lists them).";

    private static IResult InvalidId(string id) => Problems.Invalid(new() { ["id"] = [IdProblem(id)] });

    private static string? PartProblem(string? part) =>
        part is null ? $"'part' is required: one of {string.Join(", ", BackupParts.All)}."
        : BackupParts.All.Contains(part) || BackupParts.IsDataPart(part) ? null
        : $"Unknown part '{Clip(part)}': use one of {string.Join(", ", BackupParts.All)} (or a data part a backup lists, {BackupParts.DataPart(1)}, …).";

    private static string Clip(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private static IResult NotFound(string detail) => Results.Problem(statusCode: 404, title: "Not found", detail: detail);

    /// <summary>Copies the object to the response as it reads it (never whole in memory), with the recorded size.</summary>
    private sealed class StreamedPart(Stream content, long size, string fileName) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            await using (content)
            {
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/octet-stream";
                http.Response.ContentLength = size;
                http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
                await content.CopyToAsync(http.Response.Body, 81920, http.RequestAborted);
            }
        }
    }
}
