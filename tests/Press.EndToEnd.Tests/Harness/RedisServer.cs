using System.Net.Sockets;
using System.Text;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>A private, in-memory redis-server child process on a port of the suite's range, so a test can kill it.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    public ChildProcess Process { get; }
    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    private readonly string _dir;

    private RedisServer(ChildProcess process, int port, string dir)
    {
        Process = process;
        Port = port;
        _dir = dir;
    }

    public static async Task<RedisServer> StartAsync()
    {
        var port = Ports.Reserve();
        var dir = Directory.CreateTempSubdirectory("press-e2e-redis-").FullName;
        var child = ChildProcess.Start($"redis:{port}", "redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir],
            new Dictionary<string, string?>(), dir);
        var server = new RedisServer(child, port, dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !child.HasExited)
        {
            if (await server.PingAsync()) return server;
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        Assert.Fail($"redis-server did not answer PING on {server.Endpoint}.\n{child.Describe()}");
        return server;
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"), cts.Token);
            var buffer = new byte[16];
            var n = await stream.ReadAsync(buffer, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: Redis vanishes without a goodbye, as in a crash.</summary>
    public Task KillAsync() => Process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Ports.Release(Port);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
