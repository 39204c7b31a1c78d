using Press.Core.Backups;
using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// Dump and restore of one site's schema with the PostgreSQL client tools (pg_dump, pg_restore, psql), and the
/// schema renames a restore needs. Never <c>bench backup/restore</c> (docs/frappe.md §1): those act on the whole shared
/// database. Tool and server must be the same major version (<see cref="CheckToolsAsync"/>).
/// </summary>
public interface ISchemaArchive
{
    /// <summary>The tools' and the server's versions, and whether they can work together. Cached after the first
    /// call; the worker calls it at start and says plainly when backups cannot work.</summary>
    Task<ToolCheck> CheckToolsAsync(CancellationToken ct);

    /// <summary>
    /// <c>pg_dump -Fc -n &lt;schema&gt;</c> of the site's schema (as the site's role), its output handed to
    /// <paramref name="upload"/> as a stream while it is produced (no local copy), and the row count of every table
    /// taken in the same snapshot as the dump.
    /// </summary>
    Task<(SchemaDumpInfo Info, UploadedObject Archive)> DumpAsync(
        Site site, Func<Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct);

    /// <summary>
    /// Restores an archive of schema <paramref name="dumpSchema"/> into the NEW schema <paramref name="targetSchema"/>
    /// of <paramref name="database"/>, every object owned by <paramref name="targetRole"/>, in ONE transaction: a
    /// failure or a kill leaves nothing behind, and the live schema of the same name is never changed.
    /// </summary>
    Task<string> RestoreAsync(Stream archive, string database, string dumpSchema, string targetSchema, string targetRole, CancellationToken ct);

    Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct);

    /// <summary>Exact row count of every table of the schema (as <paramref name="role"/>, the schema's owner).</summary>
    Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct);

    /// <summary>Renames schemas owned by <paramref name="role"/>, in order, in ONE transaction.</summary>
    Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct);

    /// <summary>Every schema <paramref name="role"/> owns in the database.</summary>
    Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct);

    /// <summary>DROP SCHEMA … CASCADE as its owner <paramref name="role"/>; a missing schema is fine.</summary>
    Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct);
}

/// <param name="Problem">null when tools and server can work together; else what is wrong and how to fix it.</param>
public sealed record ToolCheck(string? ServerVersion, string? DumpVersion, string? RestoreVersion, string? Problem)
{
    public bool Ok => Problem is null;
}
