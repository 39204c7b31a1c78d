using System.Net;
using System.Text.Json;

namespace Press.Cli.Api;

/// <summary>The server answered with a non-2xx status. Maps to exit 1.</summary>
public sealed class PressApiException(int status, string? reasonPhrase, string body, Problem? problem)
    : Exception(problem?.Title ?? reasonPhrase ?? $"HTTP {status}")
{
    public int Status { get; } = status;
    public string? ReasonPhrase { get; } = reasonPhrase;
    public string Body { get; } = body;

    /// <summary>null when the body is not problem JSON (e.g. an HTML page from a proxy).</summary>
    public Problem? Problem { get; } = problem;

    public static PressApiException From(HttpStatusCode status, string? reasonPhrase, string body)
    {
        Problem? problem = null;
        if (body.TrimStart().StartsWith('{'))
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, PressJsonContext.Default.Problem);
            }
            catch (JsonException)
            {
                // Not the shape we expected: the printer falls back to showing the raw body.
            }
        }
        return new PressApiException((int)status, reasonPhrase, body, problem);
    }
}

/// <summary>
/// No HTTP answer at all (refused, DNS, TLS, timeout, a connection that broke mid-download). Maps to exit 3.
/// <paramref name="subject"/> names what could not be reached: Press itself, or the backup store of a download link.
/// </summary>
public sealed class PressUnreachableException(string url, string reason, Exception? inner = null, string subject = "Press")
    : Exception($"cannot reach {subject} at {url}: {reason}", inner)
{
    public string Url { get; } = url;
    public string Reason { get; } = reason;
    public string Subject { get; } = subject;
    public bool IsPress => Subject == "Press";
}
