using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Audit;

/// <summary>docs/architecture.md §3: every mutation goes to an append-only audit table — append-only for Press's own role too
/// (it holds only INSERT and SELECT on a table another role owns; AuditOwnershipTests).</summary>
public sealed class AuditAppendOnlyTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    public static TheoryData<string> Changes => new(
        "UPDATE audit_events SET actor = 'someone-else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events");

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Press_role_cannot_change_or_remove_audit_rows(string sql)
    {
        var site = InfraFixture.NewSiteName("audited");
        await new AuditLog(f.Sources, TimeProvider.System).WriteAsync(InfraFixture.Audit("site.suspend", site, actor: "alice"), CancellationToken.None);
        var before = await f.SuperScalarAsync<string>("SELECT string_agg(id || actor || action, ',' ORDER BY id) FROM audit_events");

        await using var conn = f.ConnectAsPress(f.Db.MetadataDatabase);
        await conn.OpenAsync();
        Assert.Equal(f.Db.PressRole, await conn.ScalarAsync<string>("SELECT current_user::text"));
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync(sql), "permission denied for table audit_events");

        Assert.Equal(before, await f.SuperScalarAsync<string>("SELECT string_agg(id || actor || action, ',' ORDER BY id) FROM audit_events"));
        Assert.Equal("alice", await f.SuperScalarAsync<string>("SELECT actor FROM audit_events WHERE site_name = @n", ("n", site)));
    }

    [Fact]
    public async Task WriteAsync_appends_one_row_with_every_field()
    {
        var site = InfraFixture.NewSiteName("audited");
        var entry = new Press.Core.Audit.AuditEntry("bob", "settings.set", site, "sites.softDeleteRetentionDays",
            new Dictionary<string, string> { ["value"] = "7" }, "198.51.100.4");
        await new AuditLog(f.Sources, TimeProvider.System).WriteAsync(entry, CancellationToken.None);

        Assert.Equal("bob|settings.set|sites.softDeleteRetentionDays|198.51.100.4|{\"value\": \"7\"}", await f.SuperScalarAsync<string>(
            "SELECT concat_ws('|', actor, action, target, source_ip, details::text) FROM audit_events WHERE site_name = @n", ("n", site)));
    }
}
