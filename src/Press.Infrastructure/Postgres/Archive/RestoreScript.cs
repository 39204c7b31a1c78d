namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// What psql runs around pg_restore's SQL, all in ONE transaction (<c>--single-transaction</c>, ON_ERROR_STOP):
/// the archive creates its objects under the schema name it was dumped from, so that name is freed first — a live
/// schema of that name is renamed aside — and afterwards the restored schema takes its new name and the live one gets
/// its name back. Seen from outside, only the new schema appears; a failure or a kill rolls everything back.
/// Objects are created as the target role (<c>SET ROLE</c>) so it owns them; it may create the schema because it holds
/// CREATE on the database for this transaction only.
/// </summary>
internal sealed record RestoreScript(string Prologue, string Epilogue)
{
    /// <summary>Fed instead of the epilogue when pg_restore failed: an error, so psql rolls back and exits non-zero.</summary>
    public const string Abort = "\nDO $$ BEGIN RAISE EXCEPTION 'pg_restore failed; rolling back'; END $$;\n";

    public static RestoreScript For(string database, string dumpSchema, string? dumpOwner, string targetSchema, string targetRole)
    {
        var db = Sql.Ident(database);
        var target = Sql.Ident(targetRole);
        var stash = dumpOwner is null ? null : dumpSchema + "_s" + Guid.NewGuid().ToString("N")[..8];
        var pro = new System.Text.StringBuilder();
        pro.AppendLine("SET client_min_messages = warning;");
        pro.AppendLine("SET idle_in_transaction_session_timeout = 0;");
        // Press holds every site role with SET (not INHERIT); a new site's role gets that grant here, as create-schema
        // gives it otherwise (Press has ADMIN on the roles it created).
        pro.AppendLine($"GRANT {target} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE;");
        pro.AppendLine($"GRANT CREATE ON DATABASE {db} TO {target};");
        if (dumpOwner is not null)
        {
            var owner = Sql.Ident(dumpOwner);
            pro.AppendLine($"GRANT CREATE ON DATABASE {db} TO {owner};");
            pro.AppendLine($"SET ROLE {owner};");
            pro.AppendLine($"ALTER SCHEMA {Sql.Ident(dumpSchema)} RENAME TO {Sql.Ident(stash!)};");
            pro.AppendLine("RESET ROLE;");
        }
        pro.AppendLine($"SET ROLE {target};");

        var epi = new System.Text.StringBuilder("\n");
        epi.AppendLine("RESET ROLE;");
        if (dumpSchema != targetSchema)
        {
            epi.AppendLine($"SET ROLE {target};");
            epi.AppendLine($"ALTER SCHEMA {Sql.Ident(dumpSchema)} RENAME TO {Sql.Ident(targetSchema)};");
            epi.AppendLine("RESET ROLE;");
        }
        if (dumpOwner is not null)
        {
            var owner = Sql.Ident(dumpOwner);
            epi.AppendLine($"SET ROLE {owner};");
            epi.AppendLine($"ALTER SCHEMA {Sql.Ident(stash!)} RENAME TO {Sql.Ident(dumpSchema)};");
            epi.AppendLine("RESET ROLE;");
            epi.AppendLine($"REVOKE CREATE ON DATABASE {db} FROM {owner};");
        }
        epi.AppendLine($"REVOKE CREATE ON DATABASE {db} FROM {target};");
        return new RestoreScript(pro.ToString(), epi.ToString());
    }
}
