using System.Net;
using System.Net.Sockets;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// A TCP forwarder on 127.0.0.1 in front of a real server (the S3 store) that the test can cut: once armed, the first
/// connection that has sent more than <c>cutAfterBytes</c> to the server is reset mid-request and the "store" is gone
/// (new connections are reset at once) until <see cref="Heal"/>.
/// </summary>
public sealed class FaultyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _cutAfterBytes = long.MaxValue;
    private volatile bool _down;

    public FaultyTcpProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        Port = Ports.Reserve();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public bool IsDown => _down;
    public int Cuts { get; private set; }

    public void CutAfter(long bytes) => Interlocked.Exchange(ref _cutAfterBytes, bytes);

    public void Heal()
    {
        Interlocked.Exchange(ref _cutAfterBytes, long.MaxValue);
        _down = false;
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            if (_down)
            {
                Reset(client);
                continue;
            }
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var up = Pump(client, upstream, countUp: true);
            var down = Pump(upstream, client, countUp: false);
            await Task.WhenAny(up, down);
        }
        catch (Exception) { }
        finally
        {
            Reset(client);
        }
    }

    private async Task Pump(Socket from, Socket to, bool countUp)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0) return;
            if (countUp && (sent += read) > Interlocked.Read(ref _cutAfterBytes))
            {
                _down = true;
                Cuts++;
                Reset(from);
                Reset(to);
                return;
            }
            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        Ports.Release(Port);
    }
}
