using System.Security.Cryptography;
using Press.Cli.Api;

namespace Press.Cli.Commands;

/// <summary>A download that could not be completed for a reason other than the network. Maps to exit 1.</summary>
public sealed class DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Streams a response body to a file: in fixed-size chunks (never the whole body in memory) into
/// <c>TARGET.partial</c> next to the target, hashing on the way, and renames it to the target only once every byte
/// arrived and was flushed to disk. A failed or interrupted download leaves no file under the target's name.
/// </summary>
public static class FileDownload
{
    private const int ChunkSize = 128 * 1024;

    /// <summary>A stalled body (no byte for this long) counts as a dropped connection.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    // Backups hold a site's whole database: never readable by other users, not even while downloading.
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public sealed record Saved(long Bytes, string Sha256);

    public static string TempPath(string target) => target + ".partial";

    /// <param name="source">Where the bytes come from (redacted), for messages.</param>
    /// <param name="subject">"Press" or "the backup store", for the exit-3 message.</param>
    /// <param name="expected">The manifest's size and SHA-256 of this part, checked before the rename.</param>
    public static async Task<Saved> SaveAsync(
        HttpResponseMessage response, string target, bool overwrite, string source, string subject,
        BackupPart? expected, CancellationToken ct)
    {
        var temp = TempPath(target);
        // Opened before the try: if another download holds the same .partial, its file must not be deleted here.
        var file = OpenTemp(temp);
        var renamed = false;
        try
        {
            Saved saved;
            await using (file) saved = await CopyAsync(response, file, temp, source, subject, ct);
            Check(saved, expected, response.Content.Headers.ContentLength);
            try
            {
                // Without overwrite, Move fails if the target appeared meanwhile instead of replacing it.
                File.Move(temp, target, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(target))
            {
                throw new UsageException($"{target} already exists (it appeared during the download); pass --force to replace it");
            }
            renamed = true;
            return saved;
        }
        finally
        {
            if (!renamed) TryDelete(temp);
        }
    }

    private static FileStream OpenTemp(string temp)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            // No FileStream buffer: every chunk read goes to the file before the next read, none lingers in memory.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;

        try
        {
            var file = new FileStream(temp, options);
            // FileMode.Create keeps the mode of a leftover .partial file; enforce it.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file.SafeFileHandle, OwnerOnly);
            return file;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DownloadException($"cannot write {temp}: {ex.Message}", ex);
        }
    }

    private static async Task<Saved> CopyAsync(
        HttpResponseMessage response, FileStream file, string temp, string source, string subject, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        long total = 0;
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            int read;
            idle.CancelAfter(IdleTimeout);
            try
            {
                read = await body.ReadAsync(buffer, idle.Token);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new PressUnreachableException(source,
                    $"the download stalled: no data for {IdleTimeout.TotalSeconds:0} s after {total} bytes", ex, subject);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new PressUnreachableException(source, $"the download broke off after {total} bytes: {ex.Message}", ex, subject);
            }
            if (read == 0) break;

            hash.AppendData(buffer, 0, read);
            try
            {
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            catch (IOException ex)
            {
                throw new DownloadException($"cannot write {temp}: {ex.Message}", ex);
            }
            total += read;
        }

        try
        {
            // On disk before the rename: a crash right after must not leave a short file under the final name.
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            throw new DownloadException($"cannot write {temp}: {ex.Message}", ex);
        }
        return new Saved(total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void Check(Saved saved, BackupPart? expected, long? contentLength)
    {
        if (contentLength is { } length && length != saved.Bytes)
            throw new DownloadException($"received {saved.Bytes} bytes but the server announced {length}; nothing was saved");
        if (expected?.Size is { } size && size != saved.Bytes)
            throw new DownloadException(
                $"received {saved.Bytes} bytes but the backup's manifest says part '{expected.Name}' has {size}; nothing was saved");
        if (expected?.Sha256 is { Length: > 0 } sha && !string.Equals(sha, saved.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new DownloadException(
                $"SHA-256 {saved.Sha256} of the received bytes differs from the manifest's {sha} for part '{expected.Name}'; nothing was saved");
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
