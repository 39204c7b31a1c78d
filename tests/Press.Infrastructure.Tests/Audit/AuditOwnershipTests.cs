namespace Press.Infrastructure.Tests.Audit;

/// <summary>
/// The audit table belongs to a role bootstrap creates and Press cannot become: Press may append and read, never
/// change the table, its rows or its append-only trigger — not even with a stolen Press password.
/// </summary>
public sealed class AuditOwnershipTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    public static TheoryData<string> OwnerOnly => new(
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
        "ALTER TABLE audit_events OWNER TO CURRENT_USER",
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "DROP TABLE audit_events",
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "DROP FUNCTION audit_events_append_only() CASCADE",
        // A grant by a non-owner only warns ("no privileges were granted"): what counts is that the change is refused.
        "GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER; UPDATE audit_events SET actor = 'someone-else'",
        "UPDATE audit_events SET actor = 'someone-else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "SELECT setval('audit_events_id_seq', 1)");

    [Theory]
    [MemberData(nameof(OwnerOnly))]
    public async Task Press_role_is_refused(string sql)
    {
        await using var conn = f.ConnectAsPress(f.Db.MetadataDatabase);
        await conn.OpenAsync();
        await PgAssert.FailsAsync("42501", () => conn.ExecAsync(sql));
    }

    [Fact]
    public async Task The_table_and_its_trigger_function_belong_to_another_role_and_Press_may_insert_and_select()
    {
        var owners = await f.SuperScalarAsync<string>("""
            SELECT pg_get_userbyid(c.relowner) || ',' || pg_get_userbyid(p.proowner) || ',' || pg_get_userbyid(n.nspowner)
            FROM pg_class c, pg_proc p, pg_namespace n
            WHERE c.relname = 'audit_events' AND c.relkind = 'r' AND p.proname = 'audit_events_append_only' AND n.nspname = 'public'
            """);
        Assert.DoesNotContain(f.Db.PressRole, owners!.Split(','));

        await using var conn = f.ConnectAsPress(f.Db.MetadataDatabase);
        await conn.OpenAsync();
        await conn.ExecAsync("INSERT INTO audit_events (at, actor, action) VALUES (now(), 'ownership-test', 'test.insert')");
        Assert.Equal(1L, await conn.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE actor = 'ownership-test'"));
        Assert.False(await f.SuperScalarAsync<bool>("SELECT pg_has_role(@p, (SELECT relowner FROM pg_class WHERE relname = 'audit_events' AND relkind = 'r'), 'USAGE')",
            ("p", f.Db.PressRole)));
    }
}
