using System.IO.Pipelines;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Backups.Steps;

// A backup as five steps: each part is streamed to the object store while it is produced (no local copy), its size
// and SHA-256 counted on the way and recorded; the backup is good only once every part was read back and matched.
// Every step can run again after a crash: it uploads its part again under the same key.

public sealed class BackupDatabaseStep(IBackupStore backups, ISchemaArchive archive, IObjectStore store) : IJobStep
{
    public string Name => StepNames.BackupDatabase;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = await backups.OwnBackupAsync(c, ct);
        // A site whose creation failed before its schema existed has nothing to back up; deleting it must still work.
        if (!await archive.SchemaExistsAsync(c.Site.Location.Database, c.Site.Location.Schema, ct))
            return StepResult.Skip($"schema {c.Site.Location.Schema} does not exist: nothing to back up");
        var (info, uploaded) = await archive.DumpAsync(c.Site,
            (part, stream, token) => store.PutAsync(BackupParts.Key(c.Site.Id, backup.Id, part), stream, token), ct);
        await backups.RecordDumpAsync(c.Lease, info, ct);
        foreach (var (part, done) in uploaded)
            await backups.RecordPartAsync(c.Lease, new BackupPart(part, BackupParts.Key(c.Site.Id, backup.Id, part), done.Size, done.Sha256), ct);
        var layout = info.Layout ?? DumpLayout.Legacy;
        var how = layout.Parallel ? $"{1 + layout.DataParts.Count} parallel archives" : "one archive";
        return StepResult.Ok($"pg_dump -Fc --compress={layout.Compression} -n {c.Site.Location.Schema} ({how}): {info.Tables.Count} tables, " +
                             $"{info.Tables.Values.Sum():N0} rows, {BackupContext.Size(uploaded.Sum(u => u.Object.Size))} to {store.Describe} " +
                             $"(sha256 {string.Join(", ", uploaded.Select(u => u.Object.Sha256[..12] + "…"))})");
    }
}

public sealed class BackupFilesStep(IBackupStore backups, ISiteRuntime runtime, IObjectStore store) : IJobStep
{
    public string Name => StepNames.BackupFiles;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = await backups.OwnBackupAsync(c, ct);
        var key = BackupParts.Key(c.Site.Id, backup.Id, BackupParts.Files);
        // The runtime writes the tar into a pipe while the store reads from it: bounded memory, no temp file.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20));
        var export = Task.Run(async () =>
        {
            try
            {
                var outcome = await runtime.ExportFilesAsync(c.Site, pipe.Writer.AsStream(leaveOpen: true), ct);
                await pipe.Writer.CompleteAsync();
                return outcome;
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex);
                throw;
            }
        }, ct);
        UploadedObject uploaded;
        try
        {
            uploaded = await store.PutAsync(key, pipe.Reader.AsStream(), ct);
        }
        catch
        {
            // The store failed (or rethrew the exporter's own error): unblock and end the exporter, report the first.
            await pipe.Reader.CompleteAsync();
            try { await export; } catch (Exception) when (!ct.IsCancellationRequested) { }
            throw;
        }
        var result = await export;
        if (!result.Applied)
        {
            await store.DeleteAsync(key, ct);
            return StepResult.Skip($"no files part: {result.Message}");
        }
        await backups.RecordPartAsync(c.Lease, new BackupPart(BackupParts.Files, key, uploaded.Size, uploaded.Sha256), ct);
        return StepResult.Ok($"{result.Message}; {BackupContext.Size(uploaded.Size)} tar (sha256 {uploaded.Sha256[..12]}…)");
    }
}

public sealed class WriteManifestStep(IBackupStore backups, IObjectStore store) : IJobStep
{
    public string Name => StepNames.WriteManifest;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = await backups.OwnBackupAsync(c, ct);
        if (backup.Part(BackupParts.Database) is null) return StepResult.Skip("no database part was taken: no manifest");
        var dump = backup.Dump ?? throw new StepFailedException(FailureKind.Permanent, "the database part was not recorded");
        var parts = backup.Parts.Where(p => p.Name != BackupParts.Manifest).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        // The versions the runtime last reported for the site (record-versions); null where it never said.
        var apps = new[] { "frappe" }.Concat(c.Site.Apps).Distinct()
            .Select(a => new ManifestApp(a, c.Site.AppVersions is { } v && v.TryGetValue(a, out var version) ? version : null)).ToList();
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, backup.Id, c.Site.Name, c.Site.Id,
            c.Site.Location.Database, c.Site.Location.Schema, backup.Trigger.ToString(),
            new ManifestPostgres(dump.ServerVersion, dump.DumpToolVersion), apps, parts,
            parts.Any(p => p.Name == BackupParts.Files) ? null : "no files part: the site's runtime keeps no files",
            dump.Tables, parts.Sum(p => p.Size), backup.CreatedAt, backup.ExpiresAt, dump.Layout ?? DumpLayout.Legacy);
        var key = BackupParts.Key(c.Site.Id, backup.Id, BackupParts.Manifest);
        using var content = new MemoryStream(manifest.ToJsonBytes());
        var uploaded = await store.PutAsync(key, content, ct);
        await backups.RecordPartAsync(c.Lease, new BackupPart(BackupParts.Manifest, key, uploaded.Size, uploaded.Sha256), ct);
        return StepResult.Ok($"manifest.json: {parts.Count} part(s), {BackupContext.Size(manifest.TotalSize)}, {dump.Tables.Count} tables; expires {backup.ExpiresAt:O}");
    }
}

public sealed class VerifyBackupStep(IBackupStore backups, IObjectStore store, TimeProvider time) : IJobStep
{
    public string Name => StepNames.VerifyBackup;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = await backups.OwnBackupAsync(c, ct);
        if (backup.Part(BackupParts.Database) is null) return StepResult.Skip("no database part was taken: the backup stays not good");
        var manifestPart = backup.Part(BackupParts.Manifest)
            ?? throw new StepFailedException(FailureKind.Permanent, "the manifest was not recorded");
        foreach (var part in backup.Parts)
            await PartCheck.RequireIntactAsync(store, part, ct);
        await using var manifestStream = await store.OpenReadAsync(manifestPart.Key, ct);
        var manifest = await System.Text.Json.JsonSerializer.DeserializeAsync<BackupManifest>(manifestStream,
                           new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web), ct)
                       ?? throw new StepFailedException(FailureKind.Permanent, "manifest.json is empty");
        await backups.MarkGoodAsync(c.Lease, manifest, time.GetUtcNow(), ct);
        return StepResult.Ok($"read back {backup.Parts.Count} part(s), sizes and SHA-256 match; backup {backup.Id} is good");
    }
}

internal static class PartCheck
{
    /// <summary>Reads the object back and compares size and SHA-256 with what was recorded while it was written.</summary>
    public static async Task RequireIntactAsync(IObjectStore store, BackupPart part, CancellationToken ct)
    {
        UploadedObject read;
        try
        {
            read = await store.ReadDigestAsync(part.Key, ct);
        }
        catch (ObjectNotFoundException)
        {
            throw new StepFailedException(FailureKind.Permanent, $"the {part.Name} part ({part.Key}) is missing from {store.Describe}");
        }
        if (read.Size != part.Size || read.Sha256 != part.Sha256)
            throw new StepFailedException(FailureKind.Permanent,
                $"the {part.Name} part ({part.Key}) is corrupt: {read.Size} bytes with sha256 {read.Sha256}, expected {part.Size} bytes with sha256 {part.Sha256}");
    }
}
