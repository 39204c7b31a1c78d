using Press.Core.Jobs;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>
/// Tools and server must share a major version (docs/architecture.md §6: pg_restore 17 into a 16 server fails; pg_restore 15
/// cannot read a 17 archive). Checked against real servers: PostgreSQL 17 with its own tools, and PostgreSQL 16 with
/// the same 17 tools.
/// </summary>
public sealed class BackupToolCheckTests
{
    private static (PgSchemaArchive Archive, PressDataSources Sources) ArchiveFor(string superuser)
    {
        var options = new PostgresOptions { ConnectionString = superuser, SitesDatabase = "postgres", MetadataDatabase = "postgres" };
        var sources = new PressDataSources(options);
        return (new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools }, sources), sources);
    }

    [Fact]
    public async Task Tools_of_the_servers_major_pass_the_check()
    {
        var (archive, sources) = ArchiveFor(TestServices.PostgresSuperuser);
        await using var _ = sources;
        var check = await archive.CheckToolsAsync(CancellationToken.None);
        Assert.True(check.Ok, check.Problem);
        Assert.StartsWith("17.", check.ServerVersion);
        Assert.Contains("(PostgreSQL) 17.", check.DumpVersion);
        Assert.Contains("(PostgreSQL) 17.", check.RestoreVersion);
    }

    [Fact]
    public async Task Tools_of_another_major_are_refused_with_the_reason_and_a_backup_fails_with_it()
    {
        var (archive, sources) = ArchiveFor(TestServices.PostgresSuperuser16);
        await using var _ = sources;
        var check = await archive.CheckToolsAsync(CancellationToken.None);
        Assert.False(check.Ok);
        Assert.StartsWith("16.", check.ServerVersion);
        Assert.Contains("but the server is PostgreSQL 16.", check.Problem);
        Assert.Contains("Press:Backups:ToolsFolder", check.Problem);

        var site = new Core.Sites.Site(Guid.NewGuid(), "mismatch.test", Core.Sites.SiteState.Active, new("postgres", "t_aaaaaaaaaaaaaaaaaaaa"),
            "t_aaaaaaaaaaaaaaaaaaaa", [], [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, null);
        var failure = await Assert.ThrowsAsync<StepFailedException>(() =>
            archive.DumpAsync(site, (_, _, _) => throw new InvalidOperationException("must not upload"), CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal(check.Problem, failure.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // shell scripts as fake tools
    public async Task A_psql_or_pg_restore_from_before_restrict_is_refused()
    {
        // pg_restore's SQL carries names a tenant chose; psql before 17.6 would run a backslash command hidden in one.
        var folder = Directory.CreateTempSubdirectory("press-old-tools-").FullName;
        try
        {
            foreach (var (tool, version) in new[] { ("pg_dump", "17.12"), ("pg_restore", "17.12"), ("psql", "17.5") })
            {
                var path = Path.Combine(folder, tool);
                File.WriteAllText(path, $"#!/bin/sh\necho '{tool} (PostgreSQL) {version}'\n");
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
            var options = new PostgresOptions { ConnectionString = TestServices.PostgresSuperuser, SitesDatabase = "postgres", MetadataDatabase = "postgres" };
            await using var sources = new PressDataSources(options);
            var check = await new PgSchemaArchive(new BackupOptions { ToolsFolder = folder }, sources).CheckToolsAsync(CancellationToken.None);
            Assert.False(check.Ok);
            Assert.Contains("psql", check.Problem);
            Assert.Contains("CVE-2025-8714, fixed in 17.6", check.Problem);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
