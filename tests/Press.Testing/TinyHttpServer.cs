using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Press.Testing;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for CLI tests that need exact control over what the CLI receives (a body that
/// pauses halfway or breaks off) and must see exactly what it sends (every header). One request per connection
/// (<c>Connection: close</c>); every request is recorded. Listens on the first free port of a fixed range — never an
/// ephemeral port.
/// </summary>
public sealed class TinyHttpServer : IAsyncDisposable
{
    public sealed record Request(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string Path => Target.Split('?', 2)[0];
        public string Query => Target.Contains('?') ? Target.Split('?', 2)[1] : "";
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
        public override string ToString() => $"{Method} {Target} (Authorization: {Header("Authorization") ?? "none"})";
    }

    /// <summary>Writes one response; the connection is closed after the handler returns.</summary>
    public sealed class Response(Stream stream)
    {
        public Stream Stream => stream;

        public Task JsonAsync(int status, string json, string contentType = "application/json; charset=utf-8") =>
            SendAsync(status, contentType, Encoding.UTF8.GetBytes(json));

        public async Task SendAsync(int status, string contentType, byte[] body)
        {
            var output = await StartAsync(status, contentType, body.Length);
            await output.WriteAsync(body);
            await output.FlushAsync();
        }

        /// <summary>Sends the status line and headers with this Content-Length; the handler then writes the body itself.</summary>
        public async Task<Stream> StartAsync(int status, string contentType, long contentLength)
        {
            var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\n" +
                       "Connection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();
            return stream;
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK",
            202 => "Accepted",
            404 => "Not Found",
            _ => "Status",
        };
    }

    private readonly TcpListener _listener;
    private readonly Func<Request, Response, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Request> _requests = [];
    private readonly List<Exception> _errors = [];
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    private TinyHttpServer(TcpListener listener, int port, Func<Request, Response, Task> handler)
    {
        _listener = listener;
        Port = port;
        _handler = handler;
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Starts on the first port of <paramref name="first"/>–<paramref name="last"/> that can be bound.</summary>
    public static TinyHttpServer Start(int first, int last, Func<Request, Response, Task> handler)
    {
        for (var port = first; port <= last; port++)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return new TinyHttpServer(listener, port, handler);
            }
            catch (SocketException)
            {
                listener.Stop();
            }
        }
        throw new InvalidOperationException($"No free TCP port in {first}–{last} on 127.0.0.1.");
    }

    public IReadOnlyList<Request> Requests
    {
        get { lock (_lock) return _requests.ToList(); }
    }

    /// <summary>Exceptions thrown by the handler (a failed assertion inside it, for instance).</summary>
    public IReadOnlyList<Exception> Errors
    {
        get { lock (_lock) return _errors.ToList(); }
    }

    public string Describe() =>
        "\n--- requests the test server received ---\n" + string.Join("\n", Requests) +
        (Errors.Count == 0 ? "" : "\n--- handler errors ---\n" + string.Join("\n", Errors));

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_lock) _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null) return;
                lock (_lock) _requests.Add(request);
                await _handler(request, new Response(stream));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                // The CLI closing a connection early is its business; anything else is reported by the test.
                if (ex is not IOException) lock (_lock) _errors.Add(ex);
            }
        }
    }

    private static async Task<Request?> ReadRequestAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfBlankLine(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, ct);
            if (read == 0) return null;
            buffer.AddRange(chunk.AsSpan(0, read));
            if (buffer.Count > 64 * 1024) throw new InvalidDataException("request head larger than 64 KiB");
        }
        var head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        var requestLine = head[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = buffer.Skip(headerEnd + 4).ToList();
        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value) : 0;
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, ct);
            if (read == 0) break;
            body.AddRange(chunk.AsSpan(0, read));
        }
        return new Request(requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static int IndexOfBlankLine(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_lock) connections = _connections.ToArray();
        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _stop.Dispose();
    }
}
