using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Press.Core.Backups;
using Press.Core.Jobs;

namespace Press.Infrastructure.S3;

/// <summary>
/// Streamed uploads. The source is read into one part-sized buffer at a time and hashed as it is read; a source that
/// ends within the first part goes up in one PUT, anything longer as a multipart upload in which part N uploads while
/// part N+1 is read (two buffers, nothing on disk). A multipart upload is invisible until completed, so a failure never
/// shows a partial object; it is then aborted, and when the store cannot be reached to abort it, the abort is retried at
/// the next PutAsync / EnsureReadyAsync (and EnsureReadyAsync also aborts uploads older than AbandonedUploadAge, left by
/// a killed process).
/// </summary>
public sealed partial class S3ObjectStore
{
    private const int MaxParts = 10_000;
    private static readonly TimeSpan AbortBudget = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, string> _pendingAborts = new(); // upload id → key

    /// <summary>Multipart uploads whose abort failed and will be retried (for tests and diagnostics).</summary>
    public int PendingAborts => _pendingAborts.Count;

    public async Task<UploadedObject> PutAsync(string key, Stream content, CancellationToken ct)
    {
        ObjectKeys.Validate(key);
        if (!content.CanRead) throw new ArgumentException("the content stream is not readable", nameof(content));
        await RetryPendingAbortsAsync(ct);
        try
        {
            return await PutCoreAsync(key, content, ct);
        }
        catch (SourceFailedException source)
        {
            ExceptionDispatchInfo.Capture(source.InnerException!).Throw();
            throw;
        }
    }

    private async Task<UploadedObject> PutCoreAsync(string key, Stream content, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var first = new byte[_partSize];
        var length = await FillAsync(content, first, hash, ct);
        if (length < _partSize)
        {
            using var body = new MemoryStream(first, 0, length, writable: false);
            await Call($"upload {key}", () => _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket, Key = key, InputStream = body, AutoCloseStream = false,
            }, ct), ct);
            return new UploadedObject(key, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        return await PutMultipartAsync(key, content, hash, first, ct);
    }

    private async Task<UploadedObject> PutMultipartAsync(string key, Stream content, IncrementalHash hash, byte[] first, CancellationToken ct)
    {
        var start = await Call($"start the upload of {key}", () => _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key }, ct), ct);
        var uploadId = start.UploadId;
        try
        {
            var parts = new List<PartETag>();
            var (current, next) = (first, new byte[_partSize]);
            var currentLength = first.Length;
            long total = currentLength;
            for (var number = 1; ; number++)
            {
                if (number > MaxParts)
                    throw new StepFailedException(FailureKind.Permanent,
                        $"upload {key}: larger than {MaxParts} parts of {_options.PartSizeMiB} MiB; raise Press:S3:PartSizeMiB");
                var upload = UploadPartAsync(key, uploadId, number, current, currentLength, ct);
                int nextLength;
                try
                {
                    nextLength = await FillAsync(content, next, hash, ct);
                }
                catch
                {
                    await upload.ContinueWith(static _ => { }, TaskScheduler.Default); // observe; the abort follows
                    throw;
                }
                parts.Add(await upload);
                if (nextLength == 0) break;
                total += nextLength;
                (current, next, currentLength) = (next, current, nextLength);
            }
            await Call($"complete the upload of {key}", () => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket, Key = key, UploadId = uploadId, PartETags = parts,
            }, ct), ct);
            await VerifySizeAsync(key, total, ct);
            return new UploadedObject(key, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch (Exception ex)
        {
            var aborted = await AbortAsync(key, uploadId);
            if (!aborted && ex is StepFailedException failed)
                throw new StepFailedException(failed.Kind,
                    failed.Message + $" (the unfinished upload {uploadId} could not be aborted yet; it will be on the next use of the store)", failed.InnerException);
            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int number, byte[] buffer, int length, CancellationToken ct)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var response = await Call($"upload part {number} of {key}", () => _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _options.Bucket, Key = key, UploadId = uploadId, PartNumber = number, PartSize = length,
            InputStream = body,
        }, ct), ct);
        return new PartETag(number, response.ETag);
    }

    /// <summary>The store must hold exactly what was sent; otherwise the object is removed again.</summary>
    private async Task VerifySizeAsync(string key, long sent, CancellationToken ct)
    {
        var head = await Call($"check the size of {key}", () => _client.GetObjectMetadataAsync(_options.Bucket, key, ct), ct);
        if (head.ContentLength == sent) return;
        await Call($"delete the bad copy of {key}", () => _client.DeleteObjectAsync(_options.Bucket, key, ct), ct);
        throw new StepFailedException(FailureKind.Transient,
            $"upload {key}: {Describe} stored {head.ContentLength} bytes but {sent} were sent; the object was deleted");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the source ends, hashing what it read. The source's
    /// own failures are wrapped, so they are told apart from the store's and rethrown as they were.</summary>
    private static async Task<int> FillAsync(Stream source, byte[] buffer, IncrementalHash hash, CancellationToken ct)
    {
        int filled = 0, read;
        try
        {
            while (filled < buffer.Length && (read = await source.ReadAsync(buffer.AsMemory(filled), ct)) > 0) filled += read;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new SourceFailedException(ex);
        }
        hash.AppendData(buffer, 0, filled);
        return filled;
    }

    /// <summary>Aborts within <see cref="AbortBudget"/> whatever the caller's token says (a cancelled upload must
    /// still be cleaned up). False when the store could not be reached: the abort is then pending.</summary>
    private async Task<bool> AbortAsync(string key, string uploadId)
    {
        using var budget = new CancellationTokenSource(AbortBudget);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Call($"abort the upload of {key}", () => _client.AbortMultipartUploadAsync(_options.Bucket, key, uploadId, budget.Token), budget.Token);
                _pendingAborts.TryRemove(uploadId, out _);
                return true;
            }
            catch (StepFailedException ex) when (ex.InnerException is AmazonS3Exception { ErrorCode: "NoSuchUpload" })
            {
                _pendingAborts.TryRemove(uploadId, out _);
                return true;
            }
            catch (Exception ex) when (ex is StepFailedException { Kind: FailureKind.Transient } or OperationCanceledException)
            {
                if (attempt < 3 && !budget.IsCancellationRequested)
                {
                    try { await Task.Delay(TimeSpan.FromMilliseconds(300 * attempt), budget.Token); } catch (OperationCanceledException) { }
                    if (!budget.IsCancellationRequested) continue;
                }
                _pendingAborts[uploadId] = key;
                _log.LogWarning("Could not abort the unfinished upload {UploadId} of {Key} in {Store}: {Error}; retrying on next use",
                    uploadId, key, Describe, ex.Message);
                return false;
            }
            catch (StepFailedException ex)
            {
                // Permanent (credentials revoked meanwhile …): retrying changes nothing; EnsureReady's sweep is the backstop.
                _log.LogWarning("Could not abort the unfinished upload {UploadId} of {Key} in {Store}: {Error}", uploadId, key, Describe, ex.Message);
                return false;
            }
        }
    }

    private async Task RetryPendingAbortsAsync(CancellationToken ct)
    {
        foreach (var (uploadId, key) in _pendingAborts.ToArray())
        {
            ct.ThrowIfCancellationRequested();
            if (await AbortAsync(key, uploadId))
                _log.LogInformation("Aborted the earlier unfinished upload {UploadId} of {Key} in {Store}", uploadId, key, Describe);
        }
    }

    /// <summary>Aborts multipart uploads older than <see cref="S3Options.AbandonedUploadAge"/>: a process killed
    /// mid-upload leaves its parts behind, invisible but stored (and billed).</summary>
    private async Task AbortAbandonedUploadsAsync(CancellationToken ct)
    {
        var cutoff = _time.GetUtcNow() - _options.AbandonedUploadAge;
        string? keyMarker = null, idMarker = null;
        do
        {
            var request = new ListMultipartUploadsRequest { BucketName = _options.Bucket, KeyMarker = keyMarker, UploadIdMarker = idMarker };
            var page = await Call("list unfinished uploads", () => _client.ListMultipartUploadsAsync(request, ct), ct);
            foreach (var upload in page.MultipartUploads ?? [])
                if (upload.Initiated is { } initiated && new DateTimeOffset(initiated.ToUniversalTime(), TimeSpan.Zero) < cutoff
                    && await AbortAsync(upload.Key, upload.UploadId))
                    _log.LogInformation("Aborted the abandoned upload {UploadId} of {Key} in {Store} (started {Initiated:o})",
                        upload.UploadId, upload.Key, Describe, initiated);
            (keyMarker, idMarker) = page.IsTruncated == true ? (page.NextKeyMarker, page.NextUploadIdMarker) : (null, null);
        } while (keyMarker is not null);
    }

    private sealed class SourceFailedException(Exception inner) : Exception(inner.Message, inner);
}
