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
    /// <c>pg_dump -Fc -n &lt;schema&gt;</c> of the site's schema (logged in with the site role's powers, never Press's: reading
    /// data runs the tenant's row-level security policies), each archive handed to <paramref name="upload"/> with its
    /// part name as a stream while it is produced (no local copy), and the row count of every table taken in the same
    /// snapshot as the dump. A large schema is dumped as several archives at once, all in that snapshot
    /// (<see cref="DumpLayout"/>, recorded in the returned info).
    /// </summary>
    Task<(SchemaDumpInfo Info, IReadOnlyList<(string Part, UploadedObject Object)> Parts)> DumpAsync(
        Site site, Func<string, Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct);

    /// <summary>
    /// Restores the archive(s) of schema <paramref name="dumpSchema"/> (opened by part name with
    /// <paramref name="openPart"/>, laid out as <paramref name="layout"/> says) into the schema
    /// <paramref name="targetSchema"/> of <paramref name="database"/>, created for it and owned by
    /// <paramref name="targetRole"/>, every object created by that role (logged in with its powers: writing rows runs the
    /// tenant's constraints, defaults and triggers). The last transaction marks the schema complete: run again, a
    /// complete schema is reported as such, and what an interrupted attempt left under that exact name is dropped and
    /// restored anew; a failed attempt drops what it restored. A schema named <paramref name="dumpSchema"/> (the live
    /// one, or another site's) is never touched.
    /// </summary>
    /// <param name="liveSchema">The name the site uses the restored data under (its live schema, which a restore in place
    /// swaps it to): what function bodies, resolved only when they run, must name.</param>
    Task<string> RestoreAsync(Func<string, CancellationToken, Task<Stream>> openPart, DumpLayout layout, string database, string dumpSchema,
        string targetSchema, string liveSchema, string targetRole, CancellationToken ct);

    Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct);

    /// <summary>Exact row count of every table of the schema, logged in with the powers of <paramref name="role"/>, the schema's owner.</summary>
    Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct);

    /// <summary>Renames schemas owned by <paramref name="role"/>, in order, in ONE short transaction (pure DDL).</summary>
    Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct);

    /// <summary>Every schema <paramref name="role"/> owns in the database.</summary>
    Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct);

    /// <summary>The databases of the cluster where <paramref name="role"/> owns anything (the cluster's shared catalog
    /// says, <c>pg_shdepend</c>): a moved site's kept schema is in the database it left.</summary>
    Task<IReadOnlyList<string>> DatabasesOwnedInAsync(string role, CancellationToken ct);

    /// <summary>DROP SCHEMA … CASCADE as its owner <paramref name="role"/>; a missing schema is fine.</summary>
    Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct);
}

/// <param name="Problem">null when tools and server can work together; else what is wrong and how to fix it.</param>
public sealed record ToolCheck(string? ServerVersion, string? DumpVersion, string? RestoreVersion, string? Problem)
{
    public bool Ok => Problem is null;
}
