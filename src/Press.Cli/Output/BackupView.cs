using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Human views of backups.</summary>
public static class BackupView
{
    public static void WriteList(TextWriter output, string site, BackupList list)
    {
        if (list.Items.Count == 0)
        {
            output.WriteLine($"No backups of {site}.");
        }
        else
        {
            var table = new Table("ID", "STATE", "TRIGGER", "CREATED", "SIZE", "VERIFIED");
            foreach (var b in list.Items)
                table.Add(b.Id.ToString(), b.State, b.Trigger, Formats.ShortTime(b.CreatedAt), Formats.Bytes(b.SizeBytes), Verified(b.Verification));
            table.Write(output);
        }
        output.WriteLine(Freshness(list));
    }

    /// <summary>The line under the list: when the newest good backup was made, and whether that is too long ago.</summary>
    public static string Freshness(BackupList list) => (list.NewestGoodAt, list.Stale) switch
    {
        (null, true) => "STALE: no good backup of this site yet.",
        (null, false) => "No good backup yet.",
        ({ } at, true) => $"STALE: the newest good backup is from {Formats.Time(at)}.",
        ({ } at, false) => $"Newest good backup: {Formats.Time(at)}.",
    };

    public static void WriteDetails(TextWriter output, Backup backup)
    {
        var manifest = BackupManifest.Read(backup.Manifest);
        new Details()
            .Add("Backup", backup.Id.ToString())
            .Add("Site", backup.Site)
            .Add("State", backup.State)
            .Add("Trigger", backup.Trigger)
            .Add("Created", Formats.Time(backup.CreatedAt))
            .Add("Finished", backup.FinishedAt is null ? null : Formats.Time(backup.FinishedAt))
            .Add("Expires", backup.ExpiresAt is null ? null : Formats.Time(backup.ExpiresAt))
            .Add("Size", backup.SizeBytes is { } size ? $"{Formats.Bytes(size)} ({Formats.Count(size)} bytes)" : null)
            .Add("Verified", VerificationDetail(backup.Verification))
            .Add("Error", backup.Error)
            .Add("PostgreSQL", Postgres(manifest))
            .Add("Tables", manifest?.TableCount is { } tables
                ? $"{Formats.Count(tables)} tables, {Formats.Count(manifest.TotalRows ?? 0)} rows"
                : null)
            .Write(output);

        if (manifest is not { Parts.Count: > 0 }) return;
        output.WriteLine();
        var table = new Table("PART", "SIZE", "SHA256", "KEY");
        foreach (var part in manifest.Parts)
            table.Add(part.Name, part.Size is { } s ? $"{Formats.Bytes(s)} ({Formats.Count(s)} B)" : null, part.Sha256, part.Key);
        table.Write(output);
    }

    private static string Verified(BackupVerification? verification) => verification switch
    {
        null => "-",
        { Ok: true } => "yes",
        _ => "FAILED",
    };

    private static string VerificationDetail(BackupVerification? verification)
    {
        if (verification is null) return "not verified";
        var text = verification.Ok ? "ok" : "FAILED";
        if (verification.At is { } at) text += $" at {Formats.Time(at)}";
        if (!string.IsNullOrWhiteSpace(verification.Detail)) text += $": {verification.Detail}";
        return text;
    }

    private static string? Postgres(BackupManifest? manifest)
    {
        if (manifest is null) return null;
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(manifest.PostgresServer)) parts.Add($"server {manifest.PostgresServer}");
        // pgDump is pg_dump's own version line ("pg_dump (PostgreSQL) 16.4") or just a version.
        if (!string.IsNullOrWhiteSpace(manifest.PgDump))
            parts.Add(manifest.PgDump.StartsWith("pg_dump", StringComparison.OrdinalIgnoreCase) ? manifest.PgDump : $"pg_dump {manifest.PgDump}");
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
