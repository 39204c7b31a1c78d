using Press.Core.Backups;
using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

// The site's own site_config keys (docs/frappe.md §7: its encryption_key is written there on first use, and every
// Password field depends on it) are kept sealed in Press's metadata and in every backup, so that a new site made from
// a backup, or a site whose volume is gone, gets them back. Press's own keys are never among them.

/// <summary>Reads the site's own site_config keys from its runtime and keeps them, sealed, in the site's record.</summary>
public sealed class SaveSiteConfigStep(ISiteRuntime runtime, ISiteStore sites, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.SaveSiteConfig;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        if (await runtime.ReadOwnConfigAsync(c.Site, ct) is not { } own)
            return StepResult.Skip($"site {c.Site.Name} has no site_config.json: nothing to keep");
        await sites.SaveSealedConfigAsync(c.Site.Id, secrets.Protect(own), ct);
        return StepResult.Ok($"kept the site's own site_config keys, sealed ({SiteConfigText.KeyCount(own)} key(s))");
    }
}

/// <summary>
/// The backup's <c>config</c> part: the site's own site_config keys, sealed as Press seals every secret (the part holds
/// the key to every Password field of the database part), checksummed like the other parts.
/// </summary>
public sealed class BackupConfigStep(IBackupStore backups, ISiteRuntime runtime, IObjectStore store, ISiteStore sites, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.BackupConfig;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = await backups.OwnBackupAsync(c, ct);
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        if (await runtime.ReadOwnConfigAsync(c.Site, ct) is not { } own)
            return StepResult.Skip($"site {c.Site.Name} has no site_config.json: no config part");
        var sealedConfig = secrets.Protect(own);
        await sites.SaveSealedConfigAsync(c.Site.Id, sealedConfig, ct);
        var key = BackupParts.Key(c.Site.Id, backup.Id, BackupParts.Config);
        using var content = new MemoryStream(sealedConfig);
        var uploaded = await store.PutAsync(key, content, ct);
        await backups.RecordPartAsync(c.Lease, new BackupPart(BackupParts.Config, key, uploaded.Size, uploaded.Sha256), ct);
        return StepResult.Ok($"the site's own site_config keys ({SiteConfigText.KeyCount(own)}), sealed: {uploaded.Size} B (sha256 {uploaded.Sha256[..12]}…)");
    }
}

/// <summary>A new site from a backup takes the backup's own site_config keys (its encryption_key among them); Press's
/// keys are then written for the new site by write-site-config.</summary>
public sealed class RestoreConfigStep(IBackupStore backups, IObjectStore store, ISiteStore sites, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.RestoreConfig;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (backup, manifest) = await backups.SourceBackupAsync(c, ct);
        if (manifest.Part(BackupParts.Config) is not { } part)
            return StepResult.Skip($"backup {backup.Id} has no config part (taken before Press kept site_config, or without a runtime)");
        await using var stream = await store.OpenReadAsync(part.Key, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        var sealedConfig = buffer.ToArray();
        string own;
        try { own = secrets.Unprotect(sealedConfig); }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException or ArgumentException)
        {
            return StepResult.Permanent($"the config part of backup {backup.Id} cannot be unsealed with this installation's Press:Secrets:Key");
        }
        await sites.SaveSealedConfigAsync(c.Site.Id, sealedConfig, ct);
        return StepResult.Ok($"the site's own site_config keys ({SiteConfigText.KeyCount(own)}) taken from backup {backup.Id}");
    }
}

/// <summary>Asks the runtime which apps and versions the site runs (<c>bench version</c>) and which image its runner runs
/// (docs/architecture.md §18), and records them: from then on the site keeps that image whatever <c>runtime.image</c> says.</summary>
public sealed class RecordVersionsStep(ISiteRuntime runtime, ISiteStore sites) : IJobStep
{
    public string Name => StepNames.RecordVersions;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var bench = await runtime.AppVersionsAsync(c.Site, ct);
        var apps = new[] { "frappe" }.Concat(c.Site.Apps).Distinct().ToList();
        var versions = apps.Where(bench.ContainsKey).ToDictionary(a => a, a => bench[a]);
        var missing = apps.Where(a => !bench.ContainsKey(a)).ToList();
        if (versions.Count == 0) return StepResult.Permanent($"bench version names none of the site's apps ({string.Join(", ", apps)})");
        await sites.SaveAppVersionsAsync(c.Site.Id, versions, ct);
        var image = await runtime.RunnerImageAsync(c.Site, ct);
        if (image is not null && image != c.Site.Image) await sites.SaveRunnerImageAsync(c.Site.Id, image, ct);
        return StepResult.Ok(string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}"))
                             + (image is null ? "" : $"; runner image {image.Reference} ({image.Id ?? "no id reported"})")
                             + (missing.Count == 0 ? "" : $"; bench version does not list {string.Join(", ", missing)}"));
    }
}

internal static class SiteConfigText
{
    public static int KeyCount(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Count();
}
