using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Press.Manager.Tests.Harness;

/// <summary>
/// A request sent straight into the in-process server with the connection set by the test: which peer address it
/// comes from and which local port it reached (the API's, or the embedded proxy's), as Kestrel would report them.
/// </summary>
public static class RawRequest
{
    public static async Task<HttpContext> SendAsync(this TestServer server, string method, string path, IPAddress? peer,
        IReadOnlyDictionary<string, string>? headers = null, string? jsonBody = null, int localPort = 48550, string host = "127.0.0.1:48550",
        Stream? body = null)
    {
        return await server.SendAsync(context =>
        {
            context.Request.Method = method;
            context.Request.Path = path;
            context.Request.Host = new HostString(host);
            context.Connection.RemoteIpAddress = peer;
            context.Connection.LocalPort = localPort;
            context.Connection.LocalIpAddress = IPAddress.Loopback;
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) context.Request.Headers[name] = value;
            if (jsonBody is not null)
            {
                context.Request.ContentType = "application/json";
                context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(jsonBody));
            }
            if (body is not null)
            {
                // No Content-Length: what the server sees for a chunked body.
                context.Request.ContentType = "application/json";
                context.Request.ContentLength = null;
                context.Request.Body = body;
            }
        });
    }

    public static async Task<string> BodyAsync(this HttpContext context)
    {
        if (context.Response.Body.CanSeek) context.Response.Body.Position = 0;
        return await new StreamReader(context.Response.Body).ReadToEndAsync();
    }
}
