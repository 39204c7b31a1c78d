using System.Security.Cryptography;

namespace Press.Infrastructure.Tests.ObjectStore;

/// <summary>
/// A source like pg_dump's stdout: not seekable, length unknown to the reader, bytes made on demand (pseudo-random,
/// a pure function of seed and position, so the expected digest can be computed without holding the data). It can
/// stop at a gate (an await the test controls) or fail at a given offset.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 1) : Stream
{
    private long _position;
    private bool _gatePassed;

    /// <summary>Before producing byte <see cref="GateAt"/>, await <see cref="Gate"/> once.</summary>
    public long GateAt { get; init; } = -1;
    public Func<Task>? Gate { get; init; }

    /// <summary>Reading byte <see cref="FailAt"/> throws <see cref="Failure"/>.</summary>
    public long FailAt { get; init; } = -1;
    public Exception Failure { get; init; } = new IOException("the source broke (test)");

    public long Produced => Interlocked.Read(ref _position);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("length unknown (like a pipe)");
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (_position >= length || buffer.Length == 0) return 0;
        if (!_gatePassed && GateAt >= 0 && _position >= GateAt && Gate is not null)
        {
            _gatePassed = true;
            await Gate().WaitAsync(ct);
        }
        if (FailAt >= 0 && _position >= FailAt) throw Failure;
        var limit = length;
        if (!_gatePassed && GateAt > _position) limit = Math.Min(limit, GateAt);
        if (FailAt > _position) limit = Math.Min(limit, FailAt);
        var n = (int)Math.Min(buffer.Length, limit - _position);
        Fill(buffer.Span[..n], _position, seed);
        Interlocked.Add(ref _position, n);
        return n;
    }

    private static void Fill(Span<byte> target, long position, ulong seed)
    {
        for (var i = 0; i < target.Length; i++, position++)
        {
            var word = SplitMix(seed + (ulong)(position >> 3));
            target[i] = (byte)(word >> (int)((position & 7) * 8));
        }
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>SHA-256 (lowercase hex) of the full stream of that length and seed.</summary>
    public static string Sha256Of(long length, ulong seed = 1)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long done = 0; done < length;)
        {
            var n = (int)Math.Min(buffer.Length, length - done);
            Fill(buffer.AsSpan(0, n), done, seed);
            hash.AppendData(buffer, 0, n);
            done += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
