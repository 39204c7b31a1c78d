using System.Diagnostics;
using Press.Core.Jobs;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// A tool's stdout as a read-only stream that fails at its end when the tool failed. The object store consumes it
/// while the tool writes; an exit code other than 0 surfaces as an exception on the last read, so the upload is
/// aborted and a truncated dump never becomes an object.
/// </summary>
internal sealed class ToolOutputStream(Process process, Task<string> errors, string tool) : Stream
{
    private readonly Stream _inner = process.StandardOutput.BaseStream;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = await _inner.ReadAsync(buffer, ct);
        if (read > 0) return read;
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var message = await errors;
            throw new StepFailedException(PgTool.Classify(message), $"{tool} failed (exit {process.ExitCode}): {message}");
        }
        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
