namespace Press.Core.Backups;

/// <summary>What <see cref="Ports.IObjectStore.PutAsync"/> wrote: size and SHA-256 (lowercase hex), both counted while
/// the bytes streamed through, so a caller can record them (a backup manifest) without reading the object back.</summary>
public sealed record UploadedObject(string Key, long Size, string Sha256);

/// <summary>An object as the store lists it. Stores keep no digest of their own (S3 would have to rewrite an object to
/// attach one known only after streaming): digests live where the caller recorded them from <see cref="UploadedObject"/>.</summary>
public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified);

/// <summary>The object does not exist in the store. A domain error, not a vendor one: a restore step that meets it
/// refuses the restore (the backup is incomplete) — retrying cannot help.</summary>
public sealed class ObjectNotFoundException(string key, string store)
    : Exception($"object '{key}' does not exist in {store}")
{
    public string Key { get; } = key;
    public string Store { get; } = store;
}
