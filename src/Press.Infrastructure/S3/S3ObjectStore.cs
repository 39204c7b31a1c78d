using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Infrastructure.S3;

/// <summary>
/// <see cref="IObjectStore"/> on any S3-compatible store through AWSSDK.S3 v4, with the settings non-AWS stores need
/// (path-style addressing, checksums only when required, a fixed signing region). Uploads: see S3ObjectStore.Upload.cs.
/// </summary>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    /// <summary>Keys under this prefix are the store's own (the write probe); <see cref="ObjectKeys"/> forbids them to callers.</summary>
    private const string InternalPrefix = ".press/";

    private readonly S3Options _options;
    private readonly AmazonS3Client _client;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly int _partSize;

    public S3ObjectStore(S3Options options, TimeProvider? time = null, ILogger<S3ObjectStore>? log = null)
    {
        if (!options.IsConfigured) throw new InvalidOperationException("Press:S3:ServiceUrl is not set.");
        if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"Press:S3:ServiceUrl '{options.ServiceUrl}' is not an http(s) URL.");
        if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey))
            throw new InvalidOperationException(
                "Press:S3:AccessKey and Press:S3:SecretKey must be set (or Press__S3__AccessKey_FILE / Press__S3__SecretKey_FILE).");
        if (options.PartSizeMiB is < 5 or > 512)
            throw new InvalidOperationException($"Press:S3:PartSizeMiB is {options.PartSizeMiB}; S3 takes 5 to 512 (MiB).");
        if (options.ListPageSize is < 1 or > 1000)
            throw new InvalidOperationException($"Press:S3:ListPageSize is {options.ListPageSize}; use 1 to 1000.");
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = log ?? (ILogger)NullLogger.Instance;
        _partSize = options.PartSizeMiB << 20;
        Describe = $"s3 {url.GetLeftPart(UriPartial.Authority)}{url.AbsolutePath.TrimEnd('/')} bucket {options.Bucket}";
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            // Without these the SDK sends CRC trailers with every upload, which radosgw (and others) reject.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.RequestTimeout,
            MaxErrorRetry = options.MaxErrorRetry,
            UseHttp = url.Scheme == "http",
        };
        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public string Describe { get; }

    public async Task EnsureReadyAsync(CancellationToken ct)
    {
        await RetryPendingAbortsAsync(ct);
        try
        {
            await Call("list the bucket", () => _client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = _options.Bucket, MaxKeys = 1 }, ct), ct);
        }
        catch (StepFailedException ex) when (ex.InnerException is AmazonS3Exception { ErrorCode: "NoSuchBucket" } && _options.CreateBucket)
        {
            await CreateBucketAsync(ct);
        }
        var probe = $"{InternalPrefix}probe-{Guid.NewGuid():N}";
        await Call("write a probe object", () => _client.PutObjectAsync(
            new PutObjectRequest { BucketName = _options.Bucket, Key = probe, ContentBody = "press write probe" }, ct), ct);
        await Call("delete the probe object", () => _client.DeleteObjectAsync(_options.Bucket, probe, ct), ct);
        await AbortAbandonedUploadsAsync(ct);
    }

    private async Task CreateBucketAsync(CancellationToken ct)
    {
        try
        {
            await Call("create the bucket", () => _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, ct), ct);
            _log.LogInformation("Created bucket {Bucket} in {Store}", _options.Bucket, Describe);
        }
        catch (StepFailedException ex) when (ex.InnerException is AmazonS3Exception { ErrorCode: "BucketAlreadyOwnedByYou" })
        {
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        ObjectKeys.Validate(key);
        try
        {
            var response = await Call($"read {key}", () => _client.GetObjectAsync(_options.Bucket, key, ct), ct);
            return new S3ReadStream(response, this, key);
        }
        catch (StepFailedException ex) when (IsNotFound(ex))
        {
            throw new ObjectNotFoundException(key, Describe);
        }
    }

    public async Task<StoredObject?> StatAsync(string key, CancellationToken ct)
    {
        ObjectKeys.Validate(key);
        try
        {
            var head = await Call($"stat {key}", () => _client.GetObjectMetadataAsync(_options.Bucket, key, ct), ct);
            return new StoredObject(key, head.ContentLength, ToOffset(head.LastModified));
        }
        catch (StepFailedException ex) when (IsNotFound(ex))
        {
            return null;
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        ObjectKeys.ValidatePrefix(prefix);
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _options.Bucket, Prefix = prefix, MaxKeys = _options.ListPageSize, ContinuationToken = token,
            };
            var page = await Call($"list '{prefix}'", () => _client.ListObjectsV2Async(request, ct), ct);
            foreach (var item in page.S3Objects ?? [])
                if (!item.Key.StartsWith(InternalPrefix, StringComparison.Ordinal))
                    yield return new StoredObject(item.Key, item.Size ?? 0, ToOffset(item.LastModified));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        ObjectKeys.Validate(key);
        try
        {
            // S3 answers 204 for a missing key too; a 404 (some stores) means the same.
            await Call($"delete {key}", () => _client.DeleteObjectAsync(_options.Bucket, key, ct), ct);
        }
        catch (StepFailedException ex) when (IsNotFound(ex))
        {
        }
    }

    public async Task<Uri?> DownloadUrlAsync(string key, TimeSpan lifetime, CancellationToken ct)
    {
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > TimeSpan.FromDays(7))
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "a download link lives 1 s to 7 days (S3 signature limit)");
        if (await StatAsync(key, ct) is null) throw new ObjectNotFoundException(key, Describe);
        // The SDK counts the link's seconds from its own view of the store's clock (the system clock corrected by
        // the skew it saw in the store's Date headers, whole seconds), not from TimeProvider: ±1 s.
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket, Key = key, Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + lifetime,
            Protocol = _options.ServiceUrl!.StartsWith("http:", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
        };
        var url = await Call($"sign a download link for {key}", () => _client.GetPreSignedURLAsync(request), ct);
        return new Uri(url);
    }

    private static bool IsNotFound(StepFailedException ex) =>
        ex.InnerException is AmazonServiceException { StatusCode: HttpStatusCode.NotFound } service
        && service.ErrorCode is not "NoSuchBucket" and not "NoSuchUpload";

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;

    /// <summary>Runs one SDK call and translates its failures (S3Errors).</summary>
    private async Task<T> Call<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (S3Errors.Translate(ex, Describe, what, _options.AccessKey, ct) is { } translated)
        {
            throw translated;
        }
    }

    internal Exception? TranslateRead(Exception ex, string key, CancellationToken ct) =>
        S3Errors.Translate(ex, Describe, $"read {key}", _options.AccessKey, ct);

    public void Dispose() => _client.Dispose();
}
