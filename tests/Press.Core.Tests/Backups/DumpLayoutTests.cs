using Press.Core.Backups;

namespace Press.Core.Tests.Backups;

/// <summary>The manifest says how the database was dumped (docs/architecture.md §6); data parts have their own keys.</summary>
public sealed class DumpLayoutTests
{
    private static readonly Guid Site = Guid.Parse("0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b");
    private static readonly Guid Backup = Guid.Parse("0199a3b2-6f1c-7d2e-9a4b-000000000001");

    [Fact]
    public void A_manifest_from_before_layouts_means_one_gzip_archive()
    {
        var old = new BackupManifest("press-backup/1", Backup, "a.example.com", Site, "press_sites", "t_x", "Manual",
            new ManifestPostgres("17.6", "pg_dump (PostgreSQL) 17.6"), [], [], null, new Dictionary<string, long>(), 0,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch).ToJson();
        var json = old.Replace("\"databaseLayout\": null", "\"unrelated\": 1", StringComparison.Ordinal); // as /1 wrote it: no such key
        Assert.DoesNotContain("databaseLayout", json);

        var read = BackupManifest.FromJson(json)!;

        Assert.Null(read.DatabaseLayout);
        Assert.Equal("gzip", read.Layout.Compression);
        Assert.Empty(read.Layout.DataParts);
        Assert.False(read.Layout.Parallel);
    }

    [Fact]
    public void A_parallel_layout_round_trips_through_the_manifest()
    {
        var layout = new DumpLayout("zstd:1", [BackupParts.DataPart(1), BackupParts.DataPart(2)]);
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, Backup, "a.example.com", Site, "press_sites_001", "t_x", "Manual",
            new ManifestPostgres("17.6", "pg_dump (PostgreSQL) 17.6"), [], [], null, new Dictionary<string, long>(), 0,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, layout);

        var json = manifest.ToJson();
        var read = BackupManifest.FromJson(json)!;

        Assert.Equal("press-backup/2", read.Format);
        Assert.Contains("\"databaseLayout\"", json);
        Assert.Equal("zstd:1", read.Layout.Compression);
        Assert.Equal(["database-data-01", "database-data-02"], read.Layout.DataParts);
        Assert.True(read.Layout.Parallel);
    }

    [Fact]
    public void Data_parts_are_named_and_keyed_beside_the_database_part()
    {
        Assert.Equal("database-data-07", BackupParts.DataPart(7));
        Assert.Equal($"sites/{Site:N}/backups/{Backup:N}/database-data-07.dump", BackupParts.Key(Site, Backup, BackupParts.DataPart(7)));
        Assert.Equal($"sites/{Site:N}/backups/{Backup:N}/database.dump", BackupParts.Key(Site, Backup, BackupParts.Database));
        Assert.Equal($"sites/{Site:N}/backups/{Backup:N}/", BackupParts.BackupPrefix(Site, Backup));
        Assert.Equal("dump", BackupParts.FileExtension(BackupParts.DataPart(99)));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackupParts.DataPart(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackupParts.DataPart(100));
        foreach (var bad in new[] { "database-data-00", "database-data-1", "database-data-001", "database-data-ab", "database-data-../x" })
        {
            Assert.False(BackupParts.IsDataPart(bad), bad);
            Assert.Throws<ArgumentException>(() => BackupParts.Key(Site, Backup, bad));
        }
    }
}
