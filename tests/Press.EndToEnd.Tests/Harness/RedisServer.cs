using System.Net.Sockets;
using System.Text;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// A private, in-memory redis-server child process on a port of the suite's range, so a test can kill it — or, with a
/// password, stand for Press's own Redis as production runs it (requirepass, set in a config file, not on argv).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public ChildProcess Process { get; }
    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    private readonly string _dir;

    public string? Password { get; }

    private RedisServer(ChildProcess process, int port, string dir, string? password)
    {
        Process = process;
        Port = port;
        _dir = dir;
        Password = password;
    }

    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var port = Ports.Reserve();
        var dir = Directory.CreateTempSubdirectory("press-e2e-redis-").FullName;
        var config = Path.Combine(dir, "redis.conf");
        await File.WriteAllTextAsync(config, password is null ? "" : $"requirepass {password}\n");
        var child = ChildProcess.Start($"redis:{port}", "redis-server",
            [config, "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir],
            new Dictionary<string, string?>(), dir);
        var server = new RedisServer(child, port, dir, password);
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
            await stream.WriteAsync(Encoding.ASCII.GetBytes((Password is null ? "" : $"AUTH {Password}\r\n") + "PING\r\n"), cts.Token);
            var seen = new StringBuilder();
            var buffer = new byte[64];
            while (!seen.ToString().Contains("+PONG") && !seen.ToString().Contains("-ERR") && !seen.ToString().Contains("-NOAUTH"))
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) break;
                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            return seen.ToString().Contains("+PONG");
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
