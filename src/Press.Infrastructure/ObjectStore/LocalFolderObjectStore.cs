using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Infrastructure.ObjectStore;

/// <summary><c>Press:ObjectStore</c>: the local folder backups go to when no S3 is configured (<c>Press:S3:ServiceUrl</c>).</summary>
public sealed class LocalFolderOptions
{
    public const string Section = "Press:ObjectStore";

    public string Folder { get; set; } = "/var/lib/press/backups";
}

/// <summary>
/// <see cref="IObjectStore"/> on a local folder: a key is a relative path below it. A write goes to a temp file in
/// the folder's own <c>.tmp/</c> (same file system), is hashed as it streams, flushed to disk and then renamed over
/// the key, so an object is whole or absent, never partial; a failed write deletes its temp file. Names starting with
/// '.' are the store's own (<see cref="ObjectKeys"/> forbids them in keys) and never listed. It has no download links
/// of its own: <see cref="DownloadUrlAsync"/> returns null and the caller serves <see cref="OpenReadAsync"/>.
/// </summary>
public sealed class LocalFolderObjectStore : IObjectStore
{
    private const int BufferSize = 1 << 20;

    // Backups hold every site's data and their paths name sites: only Press's own user may read them or list the
    // folders. The modes are given at creation (never a chmod afterwards), so no other user can open a file in between.
    private const UnixFileMode FolderCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _root;
    private readonly string _temp;

    public LocalFolderObjectStore(LocalFolderOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Folder) || !Path.IsPathFullyQualified(options.Folder))
            throw new InvalidOperationException($"Press:ObjectStore:Folder '{options.Folder}' must be an absolute path.");
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Folder));
        _temp = Path.Combine(_root, ".tmp");
        Describe = $"folder {_root}";
    }

    public string Describe { get; }

    public Task EnsureReadyAsync(CancellationToken ct) => Guard("prepare the folder", () =>
    {
        CreateFolder(_temp);
        // Temp files of a process killed mid-write: nobody writes them any more after a day.
        foreach (var stale in new DirectoryInfo(_temp).EnumerateFiles())
            if (stale.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1)) stale.Delete();
        var probe = Path.Combine(_temp, $"probe-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "press write probe");
        File.Delete(probe);
        return Task.FromResult(true);
    });

    public async Task<UploadedObject> PutAsync(string key, Stream content, CancellationToken ct)
    {
        var path = PathOf(key);
        if (!content.CanRead) throw new ArgumentException("the content stream is not readable", nameof(content));
        var temp = Path.Combine(_temp, $"{Guid.NewGuid():N}.part");
        try
        {
            return await Guard($"write {key}", async () =>
            {
                CreateFolder(_temp);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long size = 0;
                await using (var file = new FileStream(temp, NewFileOptions()))
                {
                    var buffer = new byte[BufferSize];
                    int read;
                    while ((read = await ReadSourceAsync(content, buffer, ct)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), ct);
                        size += read;
                    }
                    await file.FlushAsync(ct);
                    file.Flush(flushToDisk: true);
                }
                MoveIntoPlace(temp, path);
                return new UploadedObject(key, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
            });
        }
        catch (SourceFailedException source)
        {
            ExceptionDispatchInfo.Capture(source.InnerException!).Throw();
            throw;
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A concurrent delete may remove the (empty) parent folder between creating it and the rename.</summary>
    private static void MoveIntoPlace(string temp, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            CreateFolder(Path.GetDirectoryName(path)!);
            try
            {
                File.Move(temp, path, overwrite: true);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return Guard($"read {key}", () =>
        {
            try
            {
                return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                    BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ObjectNotFoundException(key, Describe);
            }
        });
    }

    public Task<StoredObject?> StatAsync(string key, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(key));
        return Guard($"stat {key}", () => Task.FromResult(file.Exists ? ToStored(key, file) : null));
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        ObjectKeys.ValidatePrefix(prefix);
        // Walk only below the deepest folder the prefix names whole ("sites/a/2024" → sites/a).
        var cut = prefix.LastIndexOf('/');
        var baseKey = cut < 0 ? "" : prefix[..(cut + 1)];
        var start = Path.Combine(_root, baseKey.Replace('/', Path.DirectorySeparatorChar));
        var found = await Guard($"list '{prefix}'", () => Task.FromResult(Walk(start, baseKey, prefix)));
        foreach (var item in found.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    private static List<StoredObject> Walk(string folder, string keyPrefix, string prefix)
    {
        var result = new List<StoredObject>();
        if (!Directory.Exists(folder)) return result;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.')) continue;
            var key = keyPrefix + entry.Name;
            if (entry is DirectoryInfo dir)
            {
                var sub = key + "/";
                if (sub.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(sub, StringComparison.Ordinal))
                    result.AddRange(Walk(dir.FullName, sub, prefix));
            }
            else if (entry is FileInfo file && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(ToStored(key, file));
            }
        }
        return result;
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return Guard($"delete {key}", () =>
        {
            File.Delete(path); // no error when missing (a missing parent folder throws, below)
            RemoveEmptyParents(path);
            return Task.FromResult(true);
        }, missingIsFine: true);
    }

    public Task<Uri?> DownloadUrlAsync(string key, TimeSpan lifetime, CancellationToken ct)
    {
        if (!File.Exists(PathOf(key))) throw new ObjectNotFoundException(key, Describe);
        return Task.FromResult<Uri?>(null);
    }

    private void RemoveEmptyParents(string path)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > _root.Length; dir = Path.GetDirectoryName(dir))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) return;
                Directory.Delete(dir);
            }
            catch (IOException) { return; } // not empty any more, or gone: either is fine
        }
    }

    private static FileStreamOptions NewFileOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileCreateMode;
        return options;
    }

    /// <summary>Creates the folder and any missing parent 0700; folders that exist keep their mode.</summary>
    private static void CreateFolder(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // .NET gives the mode to the last folder only (parents it creates get 0777 minus the umask): one level at a time.
        if (Path.GetDirectoryName(path) is { } parent) CreateFolder(parent);
        Directory.CreateDirectory(path, FolderCreateMode);
    }

    private string PathOf(string key) => Path.Combine(_root, ObjectKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    private static StoredObject ToStored(string key, FileInfo file) =>
        new(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));

    private static async Task<int> ReadSourceAsync(Stream source, byte[] buffer, CancellationToken ct)
    {
        try
        {
            return await source.ReadAsync(buffer, ct);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new SourceFailedException(ex);
        }
    }

    /// <summary>File-system failures → StepFailedException: no space, no permission, a read-only file system, a file
    /// where a folder should be need an operator (Permanent); other I/O errors (a network file system hiccup) may pass
    /// (Transient).</summary>
    private async Task<T> Guard<T>(string what, Func<Task<T>> action, bool missingIsFine = false)
    {
        try
        {
            return await action();
        }
        catch (DirectoryNotFoundException) when (missingIsFine)
        {
            return default!;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StepFailedException(FailureKind.Permanent, $"{what}: {Describe} is not writable or readable by this process: {ex.Message}", ex);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            // Linux errno (.NET puts it in HResult): EPERM, EACCES, EEXIST, ENOTDIR, EISDIR, ENOSPC, EROFS, ENAMETOOLONG, EDQUOT.
            // A missing folder after Press created it: a file stands in the path (ENOTDIR surfaces as this type).
            var permanent = ex is DirectoryNotFoundException || ex.HResult is 1 or 13 or 17 or 20 or 21 or 28 or 30 or 36 or 122;
            throw new StepFailedException(permanent ? FailureKind.Permanent : FailureKind.Transient, $"{what}: {Describe}: {ex.Message}", ex);
        }
    }

    private sealed class SourceFailedException(Exception inner) : Exception(inner.Message, inner);
}
