namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// What psql runs around pg_restore's SQL, logged in as the target site's helper login (<see cref="TenantLogin"/>):
/// one explicit transaction, objects created as the site role, and last a mark on the schema that the restore is
/// complete. Not <c>psql --single-transaction</c>: at the end of its input that COMMITs, so a worker killed mid-stream
/// (its pipe closed) would commit half a schema; here an input that ends early leaves the transaction open and the
/// server rolls it back.
/// </summary>
public sealed record RestoreScript(string Prologue, string Epilogue)
{
    /// <summary>Set on the schema in the restore's own transaction: present means every row was restored.</summary>
    public const string CompleteMark = "press: restore complete";

    /// <summary>Fed instead of the epilogue when pg_restore failed: an error, so psql rolls back and exits non-zero.</summary>
    public const string Abort = "\nDO $$ BEGIN RAISE EXCEPTION 'pg_restore failed; rolling back'; END $$;\n";

    /// <summary>The last (or only) transaction of a restore: it marks the schema complete.</summary>
    public static RestoreScript For(string targetSchema, string targetRole, int maintenanceWorkMemMb) => new(
        Begin(targetRole, maintenanceWorkMemMb),
        $"""

        COMMENT ON SCHEMA {Sql.Ident(targetSchema)} IS {Sql.Literal(CompleteMark)};
        COMMIT;

        """);

    /// <summary>A transaction of a parallel restore before its last: it commits, but the schema stays unmarked (a retry
    /// drops it) until the last transaction marks it.</summary>
    public static RestoreScript Phase(string targetRole, int maintenanceWorkMemMb) => new(Begin(targetRole, maintenanceWorkMemMb), "\nCOMMIT;\n");

    /// <summary>A session building indexes beside others (<see cref="PostDataPlan"/>): each statement its own
    /// transaction, so the sessions' table locks last one index build and cannot deadlock. The schema stays unmarked
    /// until the last transaction, so a failure half-way is dropped like any other.</summary>
    public static RestoreScript EachStatement(string targetRole, int maintenanceWorkMemMb) =>
        new(Settings(maintenanceWorkMemMb) + $"SET ROLE {Sql.Ident(targetRole)};\n", "\n");

    private static string Begin(string targetRole, int maintenanceWorkMemMb) =>
        Settings(maintenanceWorkMemMb) + $"""
        BEGIN;
        SET ROLE {Sql.Ident(targetRole)};

        """;

    // maintenance_work_mem: index builds sort in memory up to it (the server's default, 64 MB, spills a large table's
    // sort to disk). A session setting anyone may make; 0 or less leaves the server's own.
    private static string Settings(int maintenanceWorkMemMb) =>
        "SET client_min_messages = warning;\n" + (maintenanceWorkMemMb > 0 ? $"SET maintenance_work_mem = '{maintenanceWorkMemMb}MB';\n" : "");
}
