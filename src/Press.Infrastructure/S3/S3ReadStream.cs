using Amazon.S3.Model;

namespace Press.Infrastructure.S3;

/// <summary>The body of a GET, read as it arrives; owns the response. A connection lost mid-body becomes a Transient
/// <see cref="Press.Core.Jobs.StepFailedException"/> like every other store failure.</summary>
internal sealed class S3ReadStream(GetObjectResponse response, S3ObjectStore store, string key) : Stream
{
    private readonly Stream _body = response.ResponseStream;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => response.ContentLength;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try { return _body.Read(buffer, offset, count); }
        catch (Exception ex) when (store.TranslateRead(ex, key, CancellationToken.None) is { } translated) { throw translated; }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        try { return await _body.ReadAsync(buffer, ct); }
        catch (Exception ex) when (store.TranslateRead(ex, key, ct) is { } translated) { throw translated; }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) response.Dispose();
        base.Dispose(disposing);
    }
}
