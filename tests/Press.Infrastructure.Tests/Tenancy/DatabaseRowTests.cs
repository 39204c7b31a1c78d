using Press.Core.Backups;
using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// GRANT/REVOKE on the sites database rewrite its one row in <c>pg_database</c>, so whoever holds that row lock stalls
/// every site's grants. Neither a tenant nor a long restore may hold it: a tenant cannot take Press's own lock, and a
/// restore grants nothing on the database while it runs.
/// </summary>
public sealed class DatabaseRowTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Long enough for any honest grant on a loaded machine; a stalled one never ends at all.</summary>
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_tenant_holding_an_advisory_lock_in_the_sites_database_does_not_stall_another_site_s_grants()
    {
        var tenant = await f.ProvisionSiteAsync();
        await using var conn = await f.OpenAsSiteAsync(tenant);
        // Any tenant may take any advisory lock in a database it can connect to: here the key Press once used there.
        await conn.ExecAsync($"SELECT pg_advisory_lock(hashtext('press:database-acl:' || current_database()))");

        var other = await f.CreateSiteRowAsync();
        await f.Tenant.EnsureRoleAsync(other.Site, other.Password, Ct);
        await f.Tenant.EnsureSchemaAsync(other.Site, Ct);
        var configured = f.Tenant.ConfigureRoleAsync(other.Site, Ct);
        Assert.True(await Task.WhenAny(configured, Task.Delay(Stalled)) == configured,
            "configure-role (GRANT CONNECT on the sites database) is stalled by a tenant's advisory lock");
        Assert.StartsWith("configured", await configured, StringComparison.Ordinal);
        Assert.True(await f.SuperScalarInAsync<bool>(f.Db.SitesDatabase, "SELECT has_database_privilege(@r, current_database(), 'CONNECT')",
            ("r", other.Role)));
    }

    [Fact]
    public async Task A_restore_in_progress_does_not_hold_the_sites_database_row()
    {
        var site = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(site))
            await conn.ExecAsync("CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 50000) i");
        var archive = new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools }, f.Sources);
        var dump = new MemoryStream();
        await archive.DumpAsync(site.Site, async (_, stream, ct) =>
        {
            await stream.CopyToAsync(dump, ct);
            return new UploadedObject("test", dump.Length, "-");
        }, Ct);

        // The restore reads its archive through a gate: it stays in the middle of its data until the test opens it.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = RestoreNames.FreshSchema(site.Schema, "0123456789ab");
        var restoring = archive.RestoreAsync(
            (_, _) => Task.FromResult<Stream>(new GatedStream(new MemoryStream(dump.ToArray()), afterBytes: dump.Length * 2 / 3, gate.Task)),
            DumpLayout.Legacy, f.Db.SitesDatabase, site.Schema, target, site.Schema, site.Role, Ct);
        await CopyingAsync(); // the restore is in the middle of its data, waiting at the gate

        try
        {
            var other = await f.CreateSiteRowAsync();
            await f.Tenant.EnsureRoleAsync(other.Site, other.Password, Ct);
            await f.Tenant.EnsureSchemaAsync(other.Site, Ct);
            var configured = f.Tenant.ConfigureRoleAsync(other.Site, Ct);
            Assert.True(await Task.WhenAny(configured, Task.Delay(Stalled)) == configured,
                "configure-role (GRANT CONNECT on the sites database) waits for a restore that is still running");
            Assert.StartsWith("configured", await configured, StringComparison.Ordinal);
            Assert.False(restoring.IsCompleted, "the restore finished before the grant: the test proved nothing");
        }
        finally
        {
            gate.TrySetResult();
        }
        Assert.Contains(target, await restoring, StringComparison.Ordinal);
        Assert.Equal(50_000L, (await archive.CountRowsAsync(f.Db.SitesDatabase, target, site.Role, Ct))["items"]);
    }

    /// <summary>Waits until the restore's psql session is loading rows (COPY … FROM stdin).</summary>
    private async Task CopyingAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            if (await f.SuperScalarInAsync<long>("postgres", """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = @d AND application_name = 'press-psql' AND state = 'active' AND query LIKE 'COPY %'
                    """, ("d", f.Db.SitesDatabase)) > 0)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the restore's psql never started loading rows");
    }

    /// <summary>Passes <paramref name="afterBytes"/> through, then waits for <paramref name="gate"/> before the rest.</summary>
    private sealed class GatedStream(Stream inner, long afterBytes, Task gate) : Stream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_read >= afterBytes) await gate.WaitAsync(ct);
            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Math.Max(1, _read < afterBytes ? afterBytes - _read : buffer.Length))], ct);
            _read += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
