namespace Press.Infrastructure.S3;

/// <summary>
/// <c>Press:S3</c>: the S3-compatible store backups go to (AWS, Ceph radosgw, MinIO …). Unset <see cref="ServiceUrl"/>
/// means no S3: backups then go to the local folder store. Keys usually come from Docker secrets:
/// <c>Press__S3__AccessKey_FILE</c>, <c>Press__S3__SecretKey_FILE</c>.
/// </summary>
public sealed class S3Options
{
    public const string Section = "Press:S3";

    /// <summary>Endpoint, e.g. <c>http://127.0.0.1:48590</c> or <c>https://s3.eu-west-1.amazonaws.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    public string Bucket { get; set; } = "press-backups";

    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>Signing region; non-AWS stores take <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Multipart part size (5–512 MiB). Memory per upload is about twice this (one part uploading while the
    /// next is read). S3 allows 10,000 parts, so 16 MiB caps one object at 160 GB.</summary>
    public int PartSizeMiB { get; set; } = 16;

    /// <summary>Keys per list request (1–1000).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Timeout of one request (one part, one list page); a store that stops answering fails after this.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries of one request by the SDK on network errors and 5xx, before the job runner's own retries.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>Create the bucket when it does not exist (needs the permission to).</summary>
    public bool CreateBucket { get; set; } = true;

    /// <summary>Multipart uploads older than this are taken as abandoned (a killed worker) and aborted by
    /// <c>EnsureReadyAsync</c>. Longer than any one upload can take.</summary>
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromDays(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceUrl);
}
