using System.Formats.Tar;
using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Press.Core.Jobs;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// The narrow place that talks to the Docker engine for runners: typed calls, Docker errors translated into step
/// failures (404 → "missing", connection trouble → transient, the rest → permanent with Docker's message).
/// </summary>
public sealed partial class DockerEngine(DockerRuntimeOptions options) : IDisposable
{
    private readonly DockerClient _docker = new DockerClientBuilder()
        .WithEndpoint(new Uri(Endpoint(options)))
        .WithApiVersion(System.Version.Parse(options.ApiVersion))
        .Build();

    // Archive uploads are one request for the whole stream: the default request timeout would cut a large one off.
    private readonly DockerClient _transfer = new DockerClientBuilder()
        .WithEndpoint(new Uri(Endpoint(options)))
        .WithApiVersion(System.Version.Parse(options.ApiVersion))
        .WithTimeout(options.FileTransferTimeout)
        .Build();

    public IDockerClient Client => _docker;

    public static string Endpoint(DockerRuntimeOptions options) =>
        options.Endpoint is { Length: > 0 } e ? e
        : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env
        : "unix:///var/run/docker.sock";

    /// <returns>null when the container does not exist.</returns>
    public Task<ContainerInspectResponse?> InspectAsync(string name, CancellationToken ct) => Guard($"inspect {name}", async () =>
    {
        try { return await _docker.Containers.InspectContainerAsync(name, ct); }
        catch (DockerContainerNotFoundException) { return null; }
    });

    public Task CreateAsync(CreateContainerParameters spec, CancellationToken ct) => Guard($"create {spec.Name}", async () =>
    {
        try
        {
            await _docker.Containers.CreateContainerAsync(spec, ct);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StepFailedException(FailureKind.Permanent,
                $"runner image '{spec.Image}' is not present on the Docker engine: pull or load it (Press never downloads images by itself)");
        }
        return true;
    });

    public Task StartAsync(string name, CancellationToken ct) =>
        Guard($"start {name}", () => _docker.Containers.StartContainerAsync(name, new ContainerStartParameters(), ct));

    public Task StopAsync(string name, CancellationToken ct) =>
        Guard($"stop {name}", () => _docker.Containers.StopContainerAsync(name, new ContainerStopParameters { WaitBeforeKillSeconds = 30 }, ct));

    /// <summary>Sends a signal to the container's main process (e.g. <c>HUP</c>: gunicorn replaces its workers).</summary>
    public Task SignalAsync(string name, string signal, CancellationToken ct) =>
        Guard($"signal {signal} to {name}", () => _docker.Containers.KillContainerAsync(name, new ContainerKillParameters { Signal = signal }, ct));

    public Task RemoveAsync(string name, CancellationToken ct) => Guard($"remove {name}", async () =>
    {
        try { await _docker.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true }, ct); }
        catch (DockerContainerNotFoundException) { }
        return true;
    });

    /// <returns>false when the volume did not exist.</returns>
    public Task<bool> RemoveVolumeAsync(string name, CancellationToken ct) => Guard($"remove volume {name}", async () =>
    {
        try
        {
            await _docker.Volumes.RemoveAsync(name, force: true, ct);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { return false; }
    });

    /// <summary>
    /// Writes one file into a (created, maybe stopped) container's folder — volumes included — with owner and mode.
    /// The archive is extracted into the folder's parent with the folder as its first entry: Docker keeps a volume's
    /// mount point as it is when extracting *at* it, but applies the entry's owner when extracting *onto* it, and
    /// the bench user must own the site folder (bench creates locks/ and logs/ there).
    /// </summary>
    public Task PutFileAsync(string container, string folder, string fileName, string content, int uid, UnixFileMode mode, CancellationToken ct) =>
        Guard($"copy {fileName} into {container}", async () =>
        {
            var trimmed = folder.TrimEnd('/');
            var cut = trimmed.LastIndexOf('/');
            var parent = cut > 0 ? trimmed[..cut] : "/";
            var leaf = trimmed[(cut + 1)..];
            using var tar = new MemoryStream();
            await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, leaf + "/") { Uid = uid, Gid = uid, Mode = (UnixFileMode)0b111_101_000 }, ct);
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{leaf}/{fileName}")
                {
                    Uid = uid, Gid = uid, Mode = mode, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                await writer.WriteEntryAsync(entry, ct);
            }
            tar.Position = 0;
            await _docker.Containers.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = parent }, tar, ct);
            return true;
        });

    /// <returns>The volume's folder on the engine's host, or null when the volume does not exist.</returns>
    public Task<string?> VolumeMountpointAsync(string name, CancellationToken ct) => Guard($"inspect volume {name}", async () =>
    {
        try { return (await _docker.Volumes.InspectAsync(name, ct)).Mountpoint; }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { return (string?)null; }
    });

    /// <returns>false when the volume does not exist.</returns>
    public Task<bool> VolumeExistsAsync(string name, CancellationToken ct) => Guard($"inspect volume {name}", async () =>
    {
        try
        {
            await _docker.Volumes.InspectAsync(name, ct);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { return false; }
    });

    /// <summary>
    /// A tar of one path of a (created, maybe stopped) container, streamed from the engine; its entries are named from
    /// the path's last segment (<c>…/public/files</c> → <c>files/…</c>). The caller disposes it.
    /// </summary>
    /// <returns>null when the path does not exist (the container must exist: a 404 means the path).</returns>
    public Task<Stream?> GetArchiveAsync(string container, string path, CancellationToken ct) => Guard($"read {path} from {container}", async () =>
    {
        try
        {
            var response = await _docker.Containers.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, statOnly: false, ct);
            return response.Stream is { } stream ? new NoEmptyReads(stream) : (Stream?)null;
        }
        catch (DockerContainerNotFoundException) { return null; }
    });

    /// <summary>
    /// Extracts a tar, read as it streams, into a folder of a (created, maybe stopped) container, volumes included.
    /// Entries keep their archive owner (the engine applies the tar's uid/gid).
    /// </summary>
    public Task ExtractArchiveAsync(string container, string folder, Stream tar, CancellationToken ct) =>
        Guard($"extract into {folder} of {container}", () =>
            _transfer.Containers.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = folder }, tar, ct));

    public Task<IReadOnlyList<string>> LogsAsync(string container, int tail, CancellationToken ct) => Guard($"logs of {container}", async () =>
    {
        try
        {
            using var stream = await _docker.Containers.GetContainerLogsAsync(container,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = tail.ToString() }, ct);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
            return (IReadOnlyList<string>)(stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(tail).ToList();
        }
        catch (DockerContainerNotFoundException) { return []; }
    });

    public Task<IList<ContainerListResponse>> ListManagedAsync(CancellationToken ct) => Guard("list runners", () =>
        _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RunnerContainer.ManagedLabel}=true"] = true } },
        }, ct));

    public Task<bool> ImagePresentAsync(string image, CancellationToken ct) => Guard($"inspect image {image}", async () =>
    {
        try
        {
            await _docker.Images.InspectImageAsync(image, ct);
            return true;
        }
        catch (DockerImageNotFoundException) { return false; }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { return false; }
    });

    private static async Task Guard(string what, Func<Task> action) => await Guard(what, async () => { await action(); return true; });

    private static async Task<T> Guard<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (DockerApiException ex)
        {
            var transient = (int)ex.StatusCode >= 500 && ex.StatusCode != HttpStatusCode.NotImplemented;
            throw new StepFailedException(transient ? FailureKind.Transient : FailureKind.Permanent,
                $"docker {what}: {(int)ex.StatusCode} {ex.ResponseBody?.Trim()}", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException
                                   || (ex is OperationCanceledException && ex.InnerException is TimeoutException))
        {
            throw new StepFailedException(FailureKind.Transient, $"docker {what}: cannot reach the Docker engine: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The client's chunked response stream fails a read of zero bytes in the middle of a chunk
    /// (EndOfStreamException); TarReader asks for zero bytes at the end of each entry. Such reads end here.
    /// </summary>
    private sealed class NoEmptyReads(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => count == 0 ? 0 : inner.Read(buffer, offset, count);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            count == 0 ? Task.FromResult(0) : inner.ReadAsync(buffer, offset, count, ct);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            buffer.Length == 0 ? ValueTask.FromResult(0) : inner.ReadAsync(buffer, ct);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    internal static string Tail(string text) => text.Length <= 4000 ? text.TrimEnd() : "…" + text[^4000..].TrimEnd();

    public void Dispose()
    {
        _docker.Dispose();
        _transfer.Dispose();
    }
}
