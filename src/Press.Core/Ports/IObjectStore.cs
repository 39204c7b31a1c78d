using System.Security.Cryptography;
using Press.Core.Backups;

namespace Press.Core.Ports;

/// <summary>
/// Where backups live (docs/architecture.md §2): an S3 bucket, or a local folder when no S3 is configured. Keys follow
/// <see cref="ObjectKeys"/>. Every failure of the store itself surfaces as <see cref="Jobs.StepFailedException"/>
/// (Transient: unreachable, timed out, 5xx; Permanent: credentials refused, access denied, bad configuration) or,
/// for a missing object, <see cref="ObjectNotFoundException"/>; never a vendor type. Cancellation surfaces as
/// <see cref="OperationCanceledException"/>, and an exception thrown by a caller's source stream is rethrown as it was.
/// </summary>
public interface IObjectStore
{
    /// <summary>For logs and messages, e.g. <c>s3 http://127.0.0.1:48590 bucket press-backups</c> or
    /// <c>folder /var/lib/press/backups</c>. Never holds a credential.</summary>
    string Describe { get; }

    /// <summary>The bucket or folder exists (it is created when missing) and accepts a write and a delete; also
    /// cleans up after uploads an earlier crash or outage abandoned. Call at start so a wrong credential or a
    /// read-only folder is reported before the first backup runs.</summary>
    Task EnsureReadyAsync(CancellationToken ct);

    /// <summary>
    /// Streams <paramref name="content"/> (any stream: non-seekable, unknown length) to <paramref name="key"/>, replacing
    /// what was there, and returns the size and SHA-256 counted while streaming. Bounded memory (S3: multipart in parts
    /// of a few MiB, no local copy). The object appears whole or not at all: on any failure or cancellation nothing
    /// partial is visible and no upload is left behind (S3: the multipart upload is aborted, and retried from the next
    /// call when the store was unreachable).
    /// </summary>
    Task<UploadedObject> PutAsync(string key, Stream content, CancellationToken ct);

    /// <summary>Opens the object for reading (streamed). Missing: <see cref="ObjectNotFoundException"/>.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>The object's size and time, or null when it does not exist.</summary>
    Task<StoredObject?> StatAsync(string key, CancellationToken ct);

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (a plain string prefix, not only whole
    /// segments), in ordinal key order, fetched page by page.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken ct);

    /// <summary>Deletes the object; deleting one that does not exist succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>
    /// A link anyone holding it can GET the object with, valid for <paramref name="lifetime"/> (1 s to 7 days), or
    /// null when this store has no links of its own (the folder store): the caller then serves the bytes itself from
    /// <see cref="OpenReadAsync"/> (e.g. the manager's download endpoint). Missing object: <see cref="ObjectNotFoundException"/>.
    /// </summary>
    Task<Uri?> DownloadUrlAsync(string key, TimeSpan lifetime, CancellationToken ct);
}

public static class ObjectStoreExtensions
{
    /// <summary>Reads the whole object and returns its size and SHA-256 (lowercase hex), to verify it against what
    /// <see cref="IObjectStore.PutAsync"/> reported.</summary>
    public static async Task<UploadedObject> ReadDigestAsync(this IObjectStore store, string key, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }
        return new UploadedObject(key, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
