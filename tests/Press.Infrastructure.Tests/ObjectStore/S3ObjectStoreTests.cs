using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Infrastructure.Configuration;
using Press.Infrastructure.S3;
using Press.Testing;

namespace Press.Infrastructure.Tests.ObjectStore;

/// <summary>
/// The contract on a real S3 server with enforced credentials (Ceph radosgw from scripts/test), plus what only S3 has:
/// multipart, presigned links, credentials, and a store that goes away.
/// </summary>
public sealed class S3ObjectStoreTests : ObjectStoreContractTests
{
    /// <summary>One bucket per test run of this class; every test works under its own prefix in it.</summary>
    private static readonly string Bucket = $"press-test-{Guid.NewGuid():N}"[..24];

    private static S3TestEndpoint Endpoint => S3TestServices.S3;

    private static S3Options Options(Action<S3Options>? change = null, string? url = null, string? bucket = null)
    {
        var options = new S3Options
        {
            ServiceUrl = url ?? Endpoint.Url, Bucket = bucket ?? Bucket, AccessKey = Endpoint.AccessKey, SecretKey = Endpoint.SecretKey,
            ListPageSize = 7, // the list test's 34 keys take five pages
            MaxErrorRetry = 1,
        };
        change?.Invoke(options);
        return options;
    }

    protected override IObjectStore CreateStore() => new S3ObjectStore(Options());

    private static AmazonS3Client Raw() => new(new BasicAWSCredentials(Endpoint.AccessKey, Endpoint.SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", UseHttp = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    private static async Task<List<MultipartUpload>> UnfinishedAsync(string prefix, string? bucket = null)
    {
        using var raw = Raw();
        var page = await raw.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket ?? Bucket, Prefix = prefix });
        return page.MultipartUploads ?? [];
    }

    protected override async Task<bool> UploadInProgressAsync(string key)
    {
        using var raw = Raw();
        foreach (var upload in await UnfinishedAsync(key))
        {
            var parts = await raw.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId });
            if (parts.Parts is { Count: > 0 }) return true;
        }
        return false;
    }

    protected override async Task AssertNothingUnfinishedAsync(string prefix) => Assert.Empty(await UnfinishedAsync(prefix));

    [Fact]
    public void Describe_names_endpoint_and_bucket_but_no_credential()
    {
        Assert.Equal($"s3 {Endpoint.Url} bucket {Bucket}", Store.Describe);
        Assert.DoesNotContain(Endpoint.SecretKey, Store.Describe);
    }

    [Fact]
    public async Task A_large_upload_goes_up_in_16_MiB_parts()
    {
        var key = Prefix + "parts.bin";
        await Store.PutAsync(key, new GeneratedStream(40 * MiB), CancellationToken.None);

        using var raw = Raw();
        var head = await raw.GetObjectMetadataAsync(Bucket, key);
        Assert.EndsWith("-3\"", head.ETag); // a multipart ETag ends with its part count
    }

    [Fact]
    public async Task A_download_link_works_with_a_plain_http_client_and_then_expires()
    {
        var key = Prefix + "link.bin";
        await Store.PutAsync(key, new GeneratedStream(3 * MiB, seed: 3), CancellationToken.None);
        using var http = new HttpClient();

        var url = await Store.DownloadUrlAsync(key, TimeSpan.FromMinutes(5), CancellationToken.None);
        var body = await http.GetByteArrayAsync(url);
        Assert.Equal(GeneratedStream.Sha256Of(3 * MiB, seed: 3), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));

        var shortLived = await Store.DownloadUrlAsync(key, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Matches("[?&]X-Amz-Expires=[23](&|$)", shortLived!.Query); // whole seconds, by the SDK's estimate of the store's clock
        using (var fresh = await http.GetAsync(shortLived, HttpCompletionOption.ResponseHeadersRead))
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode); // so the 403 below is the expiry, not a bad signature
        await Task.Delay(TimeSpan.FromSeconds(4));
        using var expired = await http.GetAsync(shortLived);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
    }

    [Fact]
    public async Task A_connection_lost_while_reading_is_a_transient_error()
    {
        var key = Prefix + "read-outage.bin";
        await Store.PutAsync(key, new GeneratedStream(24 * MiB), CancellationToken.None);
        await using var proxy = new FlakyProxy(new Uri(Endpoint.Url).Port);
        using var store = new S3ObjectStore(Options(url: $"http://127.0.0.1:{proxy.Port}"));

        await using var stream = await store.OpenReadAsync(key, CancellationToken.None);
        var buffer = new byte[1 << 16];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        await proxy.OutageAsync();
        var ex = await Assert.ThrowsAsync<StepFailedException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0) { }
        });

        Assert.Equal(FailureKind.Transient, ex.Kind);
        Assert.Contains($"read {key}", ex.Message);
    }

    [Fact]
    public async Task A_download_link_lifetime_outside_1_s_to_7_days_is_refused()
    {
        await PutTextAsync("l.txt", "l");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DownloadUrlAsync(Prefix + "l.txt", TimeSpan.Zero, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DownloadUrlAsync(Prefix + "l.txt", TimeSpan.FromDays(8), CancellationToken.None));
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("access")]
    public async Task Wrong_credentials_are_a_permanent_error_saying_the_store_refused_them(string wrong)
    {
        using var store = new S3ObjectStore(Options(o =>
        {
            if (wrong == "secret") o.SecretKey = "not-" + o.SecretKey;
            else o.AccessKey = "NOSUCHKEY" + o.AccessKey;
        }));

        var ready = await Assert.ThrowsAsync<StepFailedException>(() => store.EnsureReadyAsync(CancellationToken.None));
        var small = await Assert.ThrowsAsync<StepFailedException>(() => store.PutAsync(Prefix + "x", new GeneratedStream(10), CancellationToken.None));
        var large = await Assert.ThrowsAsync<StepFailedException>(() => store.PutAsync(Prefix + "y", new GeneratedStream(20 * MiB), CancellationToken.None));
        var stat = await Assert.ThrowsAsync<StepFailedException>(() => store.StatAsync(Prefix + "z", CancellationToken.None));

        foreach (var ex in new[] { ready, small, large, stat })
        {
            Assert.Equal(FailureKind.Permanent, ex.Kind);
            Assert.Contains(store.Describe, ex.Message);
            Assert.Matches("refused the credentials|the credentials were refused", ex.Message);
            Assert.DoesNotContain(Endpoint.SecretKey, ex.Message);
        }
        Assert.Contains("refused the credentials", ready.Message);
        await AssertNothingUnfinishedAsync(Prefix);
    }

    [Fact]
    public async Task Credentials_can_come_from_FILE_secrets()
    {
        var secretFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(secretFile, Endpoint.SecretKey + "\n");
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Press:S3:ServiceUrl"] = Endpoint.Url, ["Press:S3:Bucket"] = Bucket,
                ["Press:S3:AccessKey"] = Endpoint.AccessKey, ["Press:S3:SecretKey_FILE"] = secretFile,
            }).AddSecretFiles().Build();
            var options = new S3Options();
            config.GetSection(S3Options.Section).Bind(options);
            using var store = new S3ObjectStore(options);

            await store.EnsureReadyAsync(CancellationToken.None);
            await store.PutAsync(Prefix + "from-file.txt", new MemoryStream([1, 2, 3]), CancellationToken.None);
            Assert.Equal(3, (await Store.StatAsync(Prefix + "from-file.txt", CancellationToken.None))!.Size);
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    [Fact]
    public async Task An_unreachable_store_is_a_transient_error()
    {
        using var store = new S3ObjectStore(Options(url: $"http://127.0.0.1:{TcpFaults.ClosedPort()}"));

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => store.EnsureReadyAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Transient, ex.Kind);
        Assert.Contains("cannot reach " + store.Describe, ex.Message);
    }

    [Theory]
    [InlineData(MisbehavingListener.Mode.Reset)]
    [InlineData(MisbehavingListener.Mode.Blackhole)]
    public async Task A_store_that_resets_or_never_answers_is_a_transient_error(MisbehavingListener.Mode mode)
    {
        await using var listener = new MisbehavingListener(mode);
        using var store = new S3ObjectStore(Options(o => { o.RequestTimeout = TimeSpan.FromSeconds(2); o.MaxErrorRetry = 0; },
            url: $"http://127.0.0.1:{listener.Port}"));
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => store.PutAsync(Prefix + "x", new GeneratedStream(1000), CancellationToken.None));

        Assert.Equal(FailureKind.Transient, ex.Kind);
        Assert.Contains(store.Describe, ex.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"took {DateTime.UtcNow - started}");
    }

    [Fact]
    public async Task A_store_going_away_mid_upload_fails_it_and_the_unfinished_upload_is_aborted_once_it_is_back()
    {
        await using var proxy = new FlakyProxy(new Uri(Endpoint.Url).Port);
        using var store = new S3ObjectStore(Options(url: $"http://127.0.0.1:{proxy.Port}"));
        var key = Prefix + "outage.bin";
        var source = new GeneratedStream(40 * MiB)
        {
            GateAt = 20 * MiB,
            Gate = async () =>
            {
                await Eventually(() => UploadInProgressAsync(key), "the first part is stored");
                await proxy.OutageAsync();
            },
        };

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => store.PutAsync(key, source, CancellationToken.None).WaitAsync(Patience));

        Assert.Equal(FailureKind.Transient, ex.Kind);
        Assert.Contains("could not be aborted yet", ex.Message);
        Assert.Equal(1, store.PendingAborts);
        Assert.Null(await Store.StatAsync(key, CancellationToken.None)); // via the direct store: nothing partial
        Assert.Single(await UnfinishedAsync(key));

        proxy.Restore();
        await store.EnsureReadyAsync(CancellationToken.None);

        Assert.Equal(0, store.PendingAborts);
        await AssertNothingUnfinishedAsync(Prefix);
        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task EnsureReady_creates_a_missing_bucket_and_aborts_uploads_abandoned_long_ago()
    {
        var bucket = $"press-sweep-{Guid.NewGuid():N}"[..24];
        using var raw = Raw();
        using (var fresh = new S3ObjectStore(Options(bucket: bucket)))
            await fresh.EnsureReadyAsync(CancellationToken.None); // creates it
        var abandoned = await raw.InitiateMultipartUploadAsync(bucket, "sites/killed-worker.dump");
        Assert.Single(await UnfinishedAsync("", bucket));

        // Now: too young to be taken for abandoned (it may be another worker's upload in progress).
        using (var now = new S3ObjectStore(Options(bucket: bucket)))
            await now.EnsureReadyAsync(CancellationToken.None);
        Assert.Single(await UnfinishedAsync("", bucket));

        using (var later = new S3ObjectStore(Options(bucket: bucket), new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2))))
            await later.EnsureReadyAsync(CancellationToken.None);
        Assert.Empty(await UnfinishedAsync("", bucket));
        Assert.NotNull(abandoned.UploadId);
        await raw.DeleteBucketAsync(bucket);
    }

    [Fact]
    public async Task Without_permission_to_create_it_a_missing_bucket_is_a_permanent_error()
    {
        using var store = new S3ObjectStore(Options(o => o.CreateBucket = false, bucket: "press-missing-" + Guid.NewGuid().ToString("N")[..8]));

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => store.EnsureReadyAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Contains("bucket does not exist", ex.Message);
    }

    [Fact]
    public void Missing_settings_are_reported_at_construction()
    {
        Assert.Contains("ServiceUrl", Assert.Throws<InvalidOperationException>(() => new S3ObjectStore(new S3Options())).Message);
        Assert.Contains("SecretKey", Assert.Throws<InvalidOperationException>(() =>
            new S3ObjectStore(new S3Options { ServiceUrl = "http://127.0.0.1:1", AccessKey = "a" })).Message);
        Assert.Contains("PartSizeMiB", Assert.Throws<InvalidOperationException>(() =>
            new S3ObjectStore(new S3Options { ServiceUrl = "http://127.0.0.1:1", AccessKey = "a", SecretKey = "b", PartSizeMiB = 4 })).Message);
    }
}
