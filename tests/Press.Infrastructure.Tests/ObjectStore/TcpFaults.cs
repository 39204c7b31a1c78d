using System.Net;
using System.Net.Sockets;

namespace Press.Infrastructure.Tests.ObjectStore;

/// <summary>Stand-ins for a store that misbehaves at the TCP level, all on 127.0.0.1 with a port the OS picks.</summary>
public static class TcpFaults
{
    /// <summary>A port nothing listens on (connection refused).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Accepts connections and then resets them (<see cref="Mode.Reset"/>) or holds them open without ever
/// answering (<see cref="Mode.Blackhole"/>).</summary>
public sealed class MisbehavingListener : IAsyncDisposable
{
    public enum Mode { Reset, Blackhole }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MisbehavingListener(Mode mode)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
                catch (Exception) { return; }
                if (mode == Mode.Reset)
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                else
                {
                    lock (_held) _held.Add(socket);
                }
            }
        });
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_held) _held.ForEach(s => s.Dispose());
    }
}

/// <summary>
/// A TCP proxy in front of the real store whose <see cref="OutageAsync"/> makes the store "go away": every open
/// connection is reset and new ones are refused until <see cref="Restore"/> listens on the same port again.
/// </summary>
public sealed class FlakyProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly List<(Socket Client, Socket Upstream)> _pairs = [];
    private TcpListener _listener;
    private CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public FlakyProxy(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptLoop(_listener, _stop.Token);
    }

    public int Port { get; }

    public async Task OutageAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_pairs)
        {
            foreach (var (client, upstream) in _pairs)
            {
                Reset(client);
                Reset(upstream);
            }
            _pairs.Clear();
        }
    }

    public void Restore()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _loop = AcceptLoop(_listener, _stop.Token);
    }

    private Task AcceptLoop(TcpListener listener, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptSocketAsync(stop); }
            catch (Exception) { return; }
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { await upstream.ConnectAsync(IPAddress.Loopback, _target, stop); }
            catch (Exception)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }
            lock (_pairs) _pairs.Add((client, upstream));
            _ = Pump(client, upstream);
            _ = Pump(upstream, client);
        }
    });

    private static async Task Pump(Socket from, Socket to)
    {
        var buffer = new byte[81920];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            Reset(from);
            Reset(to);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception)
        {
            // already closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await OutageAsync();
    }
}
