namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// The argument lists of pg_dump and pg_restore, as data (tested exactly). Never a password: the connection goes
/// through the environment (<see cref="PgTool"/>). Names are double-quoted in pg_dump's patterns, where quotes make
/// every character literal (<c>*</c>, <c>?</c>, <c>.</c>, regular-expression characters; <c>""</c> is one quote).
/// </summary>
public static class PgArgs
{
    /// <summary>
    /// One archive of the whole schema but the rows of <paramref name="rowsElsewhere"/> (the tables of a parallel dump's
    /// data archives): definitions, sequence values, indexes and constraints. Named table by table: a pattern such as
    /// <c>"schema".*</c> would also leave out the sequences' values.
    /// </summary>
    public static IReadOnlyList<string> DumpSchema(string database, string schema, string role, string snapshot, string? compression,
        IReadOnlyList<string> rowsElsewhere) =>
    [
        "--format=custom", .. Compress(compression), $"--dbname={Database(database)}", $"--schema={schema}",
        .. rowsElsewhere.Select(t => $"--exclude-table-data={Quote(schema)}.{Quote(t)}"),
        .. Common(role, snapshot),
    ];

    /// <summary>The rows of <paramref name="tables"/> only (no definitions), to be loaded beside the other data archives.</summary>
    public static IReadOnlyList<string> DumpRows(string database, string schema, IReadOnlyList<string> tables, string role, string snapshot, string? compression) =>
        tables.Count == 0
            ? throw new ArgumentException("a data archive needs at least one table", nameof(tables))
            :
            [
                "--format=custom", .. Compress(compression), $"--dbname={Database(database)}", "--data-only",
                .. tables.Select(t => $"--table={Quote(schema)}.{Quote(t)}"),
                .. Common(role, snapshot),
            ];

    /// <summary>Which part of an archive a restore phase turns into SQL (<c>pg_restore -f -</c>).</summary>
    public enum RestorePhase { Whole, BeforeRows, Rows, AfterRows }

    /// <summary>
    /// pg_restore writing SQL to stdout (no connection: psql runs it) for the dump schema's objects only — which also
    /// leaves out the CREATE SCHEMA, Press creates the schema — with no owners or grants of the source (objects belong
    /// to whoever restores them).
    /// </summary>
    /// <param name="useList">A <c>pg_restore -l</c> list file naming the entries to restore (<see cref="PostDataPlan"/>),
    /// or null for every entry of the phase.</param>
    public static IReadOnlyList<string> Restore(string dumpSchema, RestorePhase phase, string? useList = null) =>
    [
        $"--schema={dumpSchema}", "--no-owner", "--no-privileges", "--exit-on-error",
        .. phase switch
        {
            RestorePhase.BeforeRows => ["--section=pre-data"],
            // The rows' section of the definitions archive holds only sequence values (its tables' rows are elsewhere).
            RestorePhase.AfterRows => ["--section=data", "--section=post-data"],
            _ => Array.Empty<string>(),
        },
        .. useList is null ? Array.Empty<string>() : [$"--use-list={useList}"],
        "-f", "-",
    ];

    /// <summary>pg_restore listing the entries of a parallel restore's last phase (<see cref="PostDataPlan"/>).</summary>
    public static IReadOnlyList<string> ListAfterRows(string dumpSchema) =>
        [$"--schema={dumpSchema}", "--section=data", "--section=post-data", "--list"];

    /// <summary>A pattern matching exactly this name.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string[] Compress(string? compression) => compression is null ? [] : [$"--compress={compression}"];

    // --enable-row-security: the site's own forced policies apply to it, in the dump as in the counts. Without it
    // pg_dump refuses such a table, and a tenant could make every backup fail — and with it its own deletion.
    private static string[] Common(string role, string snapshot) =>
        [$"--role={role}", $"--snapshot={snapshot}", "--enable-row-security", "--no-password"];

    /// <summary>pg_dump reads a --dbname holding '=' or a URI as a connection string: only plain names pass.</summary>
    private static string Database(string database) =>
        database.Length is > 0 and < 64 && database.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? database
            : throw new ArgumentException($"database name '{database}' is not a plain identifier", nameof(database));
}
