namespace Press.Infrastructure.Runtime.Files;

/// <summary>
/// A forward-only read of a known number of bytes that tells its length. TarWriter refuses an unseekable data
/// stream when the archive is unseekable too (it would have to seek back to write the size); an entry read from a
/// streamed tar knows its size, so this lets one tar be rewritten into another without holding any file in memory or
/// on disk. Seeking anywhere but the current position fails.
/// </summary>
internal sealed class SizedReadStream(Stream inner, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0 || _position == length) return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _position == length) return 0;
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return target == _position ? target : throw new NotSupportedException("a streamed tar entry can only be read forward");
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
