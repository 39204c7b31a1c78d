using Npgsql;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// docs/architecture.md §4: "a site role cannot read, write or list another site's objects or the press database".
/// Each forbidden action is one case, run as site A with its own password.
/// </summary>
public sealed class IsolationMatrixTests(IsolationFixture f) : IClassFixture<IsolationFixture>
{
    private sealed record Forbidden(string? Sql, Func<IsolationFixture, string>? ConnectTo, string SqlState, string Message);

    private static Forbidden Statement(string sql, string sqlState, string message) => new(sql, null, sqlState, message);
    private static Forbidden Connect(Func<IsolationFixture, string> database, string message) => new(null, database, "42501", message);

    private static readonly Dictionary<string, Forbidden> Cases = new()
    {
        ["SELECT from B's table"] = Statement("SELECT * FROM {b}.t", "42501", "permission denied for schema"),
        ["INSERT into B's table"] = Statement("INSERT INTO {b}.t VALUES (2, 'mine now')", "42501", "permission denied for schema"),
        ["UPDATE B's table"] = Statement("UPDATE {b}.t SET secret = 'overwritten'", "42501", "permission denied for schema"),
        ["DELETE from B's table"] = Statement("DELETE FROM {b}.t", "42501", "permission denied for schema"),
        ["TRUNCATE B's table"] = Statement("TRUNCATE {b}.t", "42501", "permission denied for schema"),
        ["LOCK B's table"] = Statement("BEGIN; LOCK TABLE {b}.t IN ACCESS EXCLUSIVE MODE; COMMIT", "42501", "permission denied for schema"),
        ["CREATE TABLE in B's schema"] = Statement("CREATE TABLE {b}.planted (id int)", "42501", "permission denied for schema"),
        ["DROP B's schema"] = Statement("DROP SCHEMA {b} CASCADE", "42501", "must be owner of schema"),
        ["CREATE TABLE in public"] = Statement("CREATE TABLE public.planted (id int)", "42501", "permission denied for schema public"),
        ["read Press's object in public"] = Statement("SELECT * FROM public.probe", "42501", "permission denied for schema public"),
        ["CREATE SCHEMA"] = Statement("CREATE SCHEMA planted", "42501", "permission denied for database"),
        ["CREATE TEMP TABLE"] = Statement("CREATE TEMP TABLE planted (id int)", "42501", "permission denied to create temporary tables"),
        ["CREATE ROLE"] = Statement("CREATE ROLE planted", "42501", "permission denied to create role"),
        ["CREATE DATABASE"] = Statement("CREATE DATABASE planted", "42501", "permission denied to create database"),
        ["SET ROLE to B"] = Statement("SET ROLE {bRole}", "42501", "permission denied to set role"),
        ["SET SESSION AUTHORIZATION to B"] = Statement("SET SESSION AUTHORIZATION {bRole}", "42501", "permission denied to set session authorization"),
        ["ALTER B's role"] = Statement("ALTER ROLE {bRole} PASSWORD 'Hijacked0000000000000000000000000000'", "42501", "permission denied to alter role"),
        ["GRANT B's role to itself"] = Statement("GRANT {bRole} TO CURRENT_USER", "42501", "permission denied to grant role"),
        ["COPY to a server program"] = Statement("COPY (SELECT 1) TO PROGRAM 'true'", "42501", "permission denied to COPY to or from an external program"),
        ["read a server file"] = Statement("SELECT pg_read_file('postgresql.conf')", "42501", "permission denied for function pg_read_file"),
        ["CONNECT to the metadata database"] = Connect(x => x.Db.MetadataDatabase, "permission denied for database"),
        ["CONNECT to postgres"] = Connect(_ => "postgres", "permission denied for database"),
        ["CONNECT to another site database"] = Connect(x => x.SecondDatabase, "permission denied for database"),
    };

    public static TheoryData<string> ForbiddenActions => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(ForbiddenActions))]
    public async Task Site_role_is_refused(string action)
    {
        var c = Cases[action];
        if (c.ConnectTo is { } target)
        {
            var database = target(f);
            await using var conn = f.ConnectAsSite(f.A, database);
            var ex = await PgAssert.FailsAsync(c.SqlState, () => conn.OpenAsync(), c.Message);
            Assert.Contains(database, ex.MessageText, StringComparison.Ordinal);
            return;
        }

        await using (var conn = await f.OpenAsSiteAsync(f.A))
            await PgAssert.FailsAsync(c.SqlState, () => conn.ExecAsync(f.Expand(c.Sql!)), c.Message);

        // Whatever A tried, B's data is untouched and nothing was planted.
        await using var b = await f.OpenAsSiteAsync(f.B);
        Assert.Equal("bravo-secret", await b.ScalarAsync<string>("SELECT string_agg(secret, ',') FROM t"));
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(f.Db.SitesDatabase,
            "SELECT count(*) FROM pg_class WHERE relname = 'planted'"));
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(f.Db.SitesDatabase,
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'planted'"));
        Assert.Equal(0L, await f.SuperScalarInAsync<long>("postgres",
            "SELECT count(*) FROM pg_roles WHERE rolname = 'planted'"));
    }

    [Fact]
    public async Task Site_role_has_no_usage_on_B_schema_and_cannot_list_its_tables()
    {
        await using var conn = await f.OpenAsSiteAsync(f.A);
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_schema_privilege(current_user, @s, 'USAGE')", ("s", f.B.Schema)));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_schema_privilege(current_user, @s, 'CREATE')", ("s", f.B.Schema)));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_schema_privilege(current_user, 'public', 'USAGE')"));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_schema_privilege(current_user, 'public', 'CREATE')"));
        // information_schema shows only objects the role has some privilege on.
        Assert.Equal(0L, await conn.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = @s", ("s", f.B.Schema)));
        Assert.Equal(0L, await conn.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = @s", ("s", f.B.Schema)));
    }

    [Fact]
    public async Task Site_role_works_in_its_own_schema_with_unqualified_names()
    {
        await using var conn = await f.OpenAsSiteAsync(f.A);
        Assert.Equal(f.A.Schema, await conn.ScalarAsync<string>("SELECT current_schema()"));

        await conn.ExecAsync("CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY, body text NOT NULL)");
        await conn.ExecAsync("CREATE SEQUENCE IF NOT EXISTS note_ids");
        await conn.ExecAsync("TRUNCATE notes");
        await conn.ExecAsync("INSERT INTO notes VALUES (nextval('note_ids'), 'first'), (nextval('note_ids'), 'second')");
        await conn.ExecAsync("UPDATE notes SET body = 'changed' WHERE body = 'first'");
        await conn.ExecAsync("DELETE FROM notes WHERE body = 'second'");
        Assert.Equal("changed", await conn.ScalarAsync<string>("SELECT string_agg(body, ',') FROM notes"));

        // The unqualified names landed in A's schema, not in public or B's.
        Assert.Equal(f.A.Schema, await conn.ScalarAsync<string>("SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'notes'::regclass"));
        Assert.Equal(f.A.Schema, await conn.ScalarAsync<string>("SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'note_ids'::regclass"));
        Assert.Equal(f.A.Role, await conn.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE schemaname = @s AND tablename = 'notes'", ("s", f.A.Schema)));
    }

    [Fact]
    public async Task Site_role_session_has_the_configured_timeouts()
    {
        await using var conn = await f.OpenAsSiteAsync(f.A);
        // pg_settings reports both in milliseconds.
        Assert.Equal(((long)f.Tenancy.StatementTimeout.TotalMilliseconds).ToString(),
            await conn.ScalarAsync<string>("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"));
        Assert.Equal(((long)f.Tenancy.IdleInTransactionSessionTimeout.TotalMilliseconds).ToString(),
            await conn.ScalarAsync<string>("SELECT setting FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'"));
        Assert.Equal("17s", await conn.ScalarAsync<string>("SHOW statement_timeout"));
        Assert.Equal("23s", await conn.ScalarAsync<string>("SHOW idle_in_transaction_session_timeout"));
    }

    [Fact]
    public async Task Site_role_connection_limit_is_the_configured_one_and_is_enforced()
    {
        Assert.Equal(f.Tenancy.ConnectionLimit, await f.SuperScalarInAsync<int>("postgres",
            "SELECT rolconnlimit FROM pg_roles WHERE rolname = @r", ("r", f.A.Role)));

        await f.WaitForNoSessionsAsync(f.A.Role);
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < f.Tenancy.ConnectionLimit; i++) open.Add(await f.OpenAsSiteAsync(f.A));
            await using var onceTooMany = f.ConnectAsSite(f.A);
            await PgAssert.FailsAsync("53300", () => onceTooMany.OpenAsync(), "too many connections for role");
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
        await f.WaitForNoSessionsAsync(f.A.Role);
    }

    [Fact]
    public async Task Press_role_cannot_read_site_data_without_SET_ROLE()
    {
        await using var conn = f.ConnectAsPress(f.Db.SitesDatabase);
        await conn.OpenAsync();
        // Press holds B's role WITH INHERIT FALSE: membership alone gives no access.
        await PgAssert.FailsAsync("42501", () => conn.ScalarAsync<string>(f.Expand("SELECT secret FROM {b}.t")), "permission denied for schema");
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_schema_privilege(current_user, @s, 'USAGE')", ("s", f.B.Schema)));

        // Deliberately acting as the owner works (what DropSchema does).
        await conn.ExecAsync("BEGIN");
        await conn.ExecAsync(f.Expand("SET LOCAL ROLE {bRole}"));
        Assert.Equal("bravo-secret", await conn.ScalarAsync<string>(f.Expand("SELECT secret FROM {b}.t")));
        await conn.ExecAsync("ROLLBACK");
    }

    [Fact]
    public async Task Site_role_holds_only_CONNECT_on_the_sites_database()
    {
        await using var conn = await f.OpenAsSiteAsync(f.A);
        Assert.True(await conn.ScalarAsync<bool>("SELECT has_database_privilege(current_user, current_database(), 'CONNECT')"));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_database_privilege(current_user, current_database(), 'CREATE')"));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_database_privilege(current_user, current_database(), 'TEMPORARY')"));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_database_privilege(current_user, @d, 'CONNECT')", ("d", f.Db.MetadataDatabase)));
        Assert.False(await conn.ScalarAsync<bool>("SELECT has_database_privilege(current_user, 'postgres', 'CONNECT')"));
        // No membership in any other role (B's, Press's, predefined roles such as pg_read_all_data).
        Assert.Equal(0L, await conn.ScalarAsync<long>("SELECT count(*) FROM pg_auth_members WHERE member = current_user::regrole"));
        var attributes = await conn.ScalarAsync<string>(
            "SELECT concat_ws(',', rolsuper::text, rolcreaterole::text, rolcreatedb::text, rolreplication::text, rolbypassrls::text, rolinherit::text) FROM pg_roles WHERE rolname = current_user");
        Assert.Equal("false,false,false,false,false,false", attributes);
    }

    [Fact]
    public async Task A_site_in_the_second_database_cannot_reach_the_first_and_neither_sees_the_other_s_schemas()
    {
        // C's role: CONNECT on its own database only, the first sites database closed to it as to any role.
        await using (var wrongDoor = f.ConnectAsSite(f.C, f.Db.SitesDatabase))
            await PgAssert.FailsAsync("42501", () => wrongDoor.OpenAsync(), "permission denied for database");
        await using var c = await f.OpenAsSiteAsync(f.C);
        Assert.Equal((f.SecondDatabase, f.C.Schema), (await c.ScalarAsync<string>("SELECT current_database()"), await c.ScalarAsync<string>("SELECT current_schema()")));
        Assert.Equal("charlie-secret", await c.ScalarAsync<string>("SELECT secret FROM t"));
        Assert.False(await c.ScalarAsync<bool>("SELECT has_database_privilege(current_user, @d, 'CONNECT')", ("d", f.Db.SitesDatabase)));
        Assert.False(await c.ScalarAsync<bool>("SELECT has_database_privilege(current_user, current_database(), 'TEMPORARY')"));
        // A catalog holds only its own database's schemas: the first database's tenants are not even listed here.
        Assert.Equal(0L, await c.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = ANY(@s)", ("s", new[] { f.A.Schema, f.B.Schema })));
        // The second database is hardened as bootstrap hardens the first: PUBLIC may not connect, public is closed.
        await PgAssert.FailsAsync("42501", () => c.ExecAsync("CREATE TABLE public.planted (id int)"), "permission denied for schema public");
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(f.SecondDatabase, """
            SELECT count(*) FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() AND a.grantee = 0
            """));

        await using var a = await f.OpenAsSiteAsync(f.A);
        Assert.Equal(0L, await a.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = @s", ("s", f.C.Schema)));
        Assert.Equal(f.A.Role, await f.SuperScalarInAsync<string>(f.Db.SitesDatabase,
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = @s", ("s", f.A.Schema)));
        Assert.Equal(f.Db.PressRole, await f.SuperScalarInAsync<string>("postgres",
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = @d", ("d", f.SecondDatabase)));
    }
}
