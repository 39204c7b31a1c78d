using System.Text;
using Press.Core.Backups;
using Press.Core.Ports;

namespace Press.Infrastructure.Tests.ObjectStore;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run against each implementation (S3 on a real radosgw, the local
/// folder). Each test works under its own random key prefix and removes what it wrote.
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    protected const int MiB = 1 << 20;
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected IObjectStore Store { get; private set; } = null!;
    protected string Prefix { get; } = $"t{Guid.NewGuid():N}"[..13] + "/";

    protected abstract IObjectStore CreateStore();

    /// <summary>Bytes of <paramref name="key"/>'s unfinished upload are already in the store (proves streaming).</summary>
    protected abstract Task<bool> UploadInProgressAsync(string key);

    /// <summary>Nothing unfinished is left under <paramref name="prefix"/> (no multipart upload, no temp file).</summary>
    protected abstract Task AssertNothingUnfinishedAsync(string prefix);

    public async Task InitializeAsync()
    {
        Store = CreateStore();
        await Store.EnsureReadyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await foreach (var item in Store.ListAsync(Prefix, CancellationToken.None))
            await Store.DeleteAsync(item.Key, CancellationToken.None);
        (Store as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    [InlineData(16 * MiB)] // exactly one S3 part
    [InlineData(40 * MiB)] // S3: three parts (16 + 16 + 8 MiB)
    public async Task Round_trip_of_a_non_seekable_stream_of_unknown_length_keeps_every_byte(int size)
    {
        var key = Prefix + $"round/{size}.bin";
        var expected = GeneratedStream.Sha256Of(size, seed: (ulong)size);

        var put = await Store.PutAsync(key, new GeneratedStream(size, seed: (ulong)size), CancellationToken.None);

        Assert.Equal(new UploadedObject(key, size, expected), put);
        Assert.Equal(new UploadedObject(key, size, expected), await Store.ReadDigestAsync(key, CancellationToken.None));
        var stat = await Store.StatAsync(key, CancellationToken.None);
        Assert.NotNull(stat);
        Assert.Equal(size, stat.Size);
        Assert.InRange(stat.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task An_upload_streams_and_stays_invisible_until_complete_while_the_old_object_stays_readable()
    {
        var key = Prefix + "streamed.bin";
        await Store.PutAsync(key, new MemoryStream("old"u8.ToArray()), CancellationToken.None);
        var gateReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new GeneratedStream(40 * MiB, seed: 7)
        {
            GateAt = 20 * MiB,
            Gate = () => { gateReached.TrySetResult(); return release.Task; },
        };

        var put = Store.PutAsync(key, source, CancellationToken.None);
        await gateReached.Task.WaitAsync(Patience);
        await Eventually(() => UploadInProgressAsync(key), "bytes of the unfinished upload reach the store before the source ends");
        Assert.Equal("old", await ReadTextAsync(key));
        Assert.Equal(3, (await Store.StatAsync(key, CancellationToken.None))!.Size);
        Assert.Equal([key], await KeysAsync(Prefix));
        release.SetResult();
        var done = await put.WaitAsync(Patience);

        Assert.Equal(GeneratedStream.Sha256Of(40 * MiB, seed: 7), done.Sha256);
        Assert.Equal(40 * MiB, (await Store.StatAsync(key, CancellationToken.None))!.Size);
        await AssertNothingUnfinishedAsync(Prefix);
    }

    [Theory]
    [InlineData(100)]           // within the first part (S3: one PUT)
    [InlineData(20 * MiB)]      // after a part went up (S3: multipart)
    public async Task A_source_failing_mid_upload_fails_the_put_with_its_own_error_and_leaves_nothing(int failAt)
    {
        var key = Prefix + "broken.bin";
        var source = new GeneratedStream(40 * MiB) { FailAt = failAt, Failure = new InvalidDataException("pg_dump died (test)") };

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => Store.PutAsync(key, source, CancellationToken.None));

        Assert.Equal("pg_dump died (test)", ex.Message);
        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
        Assert.Empty(await KeysAsync(Prefix));
        await AssertNothingUnfinishedAsync(Prefix);
    }

    [Fact]
    public async Task A_cancelled_upload_leaves_nothing()
    {
        var key = Prefix + "cancelled.bin";
        using var cts = new CancellationTokenSource();
        var source = new GeneratedStream(40 * MiB)
        {
            GateAt = 20 * MiB,
            Gate = async () => { await Eventually(() => UploadInProgressAsync(key), "a part is stored"); await cts.CancelAsync(); },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(key, source, cts.Token));

        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
        await AssertNothingUnfinishedAsync(Prefix);
    }

    [Fact]
    public async Task List_returns_every_key_under_a_plain_string_prefix_in_order_across_pages()
    {
        for (var i = 0; i < 30; i++) await PutTextAsync($"a/k{i:D2}", new string('x', i));
        await PutTextAsync("ab", "not under a/");
        for (var i = 0; i < 3; i++) await PutTextAsync($"b/k{i}", "b");

        var underA = await ListAsync(Prefix + "a/");
        Assert.Equal(Enumerable.Range(0, 30).Select(i => Prefix + $"a/k{i:D2}"), underA.Select(o => o.Key));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), underA.Select(o => o.Size));
        Assert.Equal(31, (await ListAsync(Prefix + "a")).Count);
        Assert.Equal([Prefix + "a/k10", Prefix + "a/k11"], (await ListAsync(Prefix + "a/k1")).Take(2).Select(o => o.Key));
        Assert.Equal(34, (await ListAsync(Prefix)).Count);
        Assert.Empty(await ListAsync(Prefix + "nothing-here/"));
    }

    [Fact]
    public async Task Stat_of_a_missing_object_is_null_and_reading_it_is_a_domain_error()
    {
        var key = Prefix + "missing.bin";
        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
        var ex = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(key, CancellationToken.None));
        Assert.Equal(key, ex.Key);
        Assert.Contains(Store.Describe, ex.Message);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.DownloadUrlAsync(key, TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_is_idempotent()
    {
        var key = Prefix + "deleted/once.txt";
        await PutTextAsync("deleted/once.txt", "bye");

        await Store.DeleteAsync(key, CancellationToken.None);
        await Store.DeleteAsync(key, CancellationToken.None);
        await Store.DeleteAsync(Prefix + "never/existed.txt", CancellationToken.None);

        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
        Assert.Empty(await ListAsync(Prefix));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await PutTextAsync("same.txt", "first version, longer");
        var second = await PutTextAsync("same.txt", "second");

        Assert.Equal("second", await ReadTextAsync(Prefix + "same.txt"));
        Assert.Equal(6, second.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("second"u8)), second.Sha256);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData(".hidden/x")]
    [InlineData("a/.tmp/x")]
    [InlineData("back\\slash")]
    [InlineData("space here")]
    public async Task Keys_that_are_not_safe_relative_paths_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1]), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.StatAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task EnsureReady_can_run_again()
    {
        await Store.EnsureReadyAsync(CancellationToken.None);
        Assert.Empty(await ListAsync(Prefix));
    }

    protected Task<UploadedObject> PutTextAsync(string relativeKey, string text) =>
        Store.PutAsync(Prefix + relativeKey, new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

    protected async Task<string> ReadTextAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    protected async Task<List<StoredObject>> ListAsync(string prefix)
    {
        var result = new List<StoredObject>();
        await foreach (var item in Store.ListAsync(prefix, CancellationToken.None)) result.Add(item);
        return result;
    }

    protected async Task<List<string>> KeysAsync(string prefix) => (await ListAsync(prefix)).Select(o => o.Key).ToList();

    protected static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(50);
        }
    }
}
