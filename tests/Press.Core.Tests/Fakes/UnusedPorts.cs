using Press.Core.Backups;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

/// <summary>For tests that construct steps without running them (the step catalog): any call is a test bug. The real
/// adapters are tested against PostgreSQL with its client tools and against Ceph radosgw.</summary>
public sealed class UnusedSchemaArchive : ISchemaArchive
{
    private static Exception Unused() => new InvalidOperationException("this test does not run the schema archive");
    public Task<ToolCheck> CheckToolsAsync(CancellationToken ct) => throw Unused();
    public Task<(SchemaDumpInfo Info, IReadOnlyList<(string Part, UploadedObject Object)> Parts)> DumpAsync(Site site,
        Func<string, Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct) => throw Unused();
    public Task<string> RestoreAsync(Func<string, CancellationToken, Task<Stream>> openPart, DumpLayout layout, string database, string dumpSchema,
        string targetSchema, string liveSchema, string targetRole, CancellationToken ct) => throw Unused();
    public Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct) => throw Unused();
    public Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct) => throw Unused();
    public Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct) => throw Unused();
    public Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct) => throw Unused();
    public Task<IReadOnlyList<string>> DatabasesOwnedInAsync(string role, CancellationToken ct) => throw Unused();
    public Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct) => throw Unused();
}

public sealed class UnusedObjectStore : IObjectStore
{
    private static Exception Unused() => new InvalidOperationException("this test does not run the object store");
    public string Describe => "unused";
    public Task EnsureReadyAsync(CancellationToken ct) => throw Unused();
    public Task<UploadedObject> PutAsync(string key, Stream content, CancellationToken ct) => throw Unused();
    public Task<Stream> OpenReadAsync(string key, CancellationToken ct) => throw Unused();
    public Task<StoredObject?> StatAsync(string key, CancellationToken ct) => throw Unused();
    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken ct) => throw Unused();
    public Task DeleteAsync(string key, CancellationToken ct) => throw Unused();
    public Task<Uri?> DownloadUrlAsync(string key, TimeSpan lifetime, CancellationToken ct) => throw Unused();
}
