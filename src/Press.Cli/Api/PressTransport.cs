using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Press.Cli.Api;

/// <summary>
/// Owns the HttpClient and turns transport failures and non-2xx answers into
/// <see cref="PressUnreachableException"/> and <see cref="PressApiException"/>, which the
/// command runner maps to exit codes.
/// </summary>
public sealed class PressTransport : IDisposable
{
    // One HttpClient with no global timeout, because the SSE stream must stay open for as long as
    // a job runs; ordinary requests get their 100 s budget from a per-request token instead.
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private static readonly MediaTypeWithQualityHeaderValue JsonMedia = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStreamMedia = new("text/event-stream");

    private readonly HttpClient _http;

    // For absolute download links (presigned object-store URLs): they carry their own signature and must never get
    // the Press token, which would leak a credential to the store and make S3 reject the request.
    private readonly Lazy<HttpClient> _anonymous;

    public PressTransport(string baseUrl, string token)
    {
        BaseUrl = baseUrl;
        // A short connect timeout: a black-holed host should fail in seconds, not after 100.
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var version = Assembly.GetExecutingAssembly().GetName().Version?.ToString(3) ?? "0.0.0";
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("press-cli", version));
        _anonymous = new Lazy<HttpClient>(() =>
        {
            var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("press-cli", version));
            return client;
        });
    }

    /// <summary>Without trailing slash, as printed in messages.</summary>
    public string BaseUrl { get; }

    public async Task<ApiResult<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(method, Absolute(path)) { Content = content };
        request.Headers.Accept.Add(JsonMedia);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
                throw PressApiException.From(response.StatusCode, response.ReasonPhrase, body);
            var value = JsonSerializer.Deserialize(body, type)
                ?? throw new JsonException($"{method} {path} returned an empty body");
            return new ApiResult<T>(value, body, (int)response.StatusCode);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PressUnreachableException(BaseUrl, $"no response within {RequestTimeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PressUnreachableException(BaseUrl, Describe(ex), ex);
        }
    }

    /// <summary>
    /// Opens a server-sent-events stream and returns once the headers arrived; the caller owns
    /// the response and reads the body for as long as it likes (no timeout on the body).
    /// </summary>
    public async Task<HttpResponseMessage> OpenEventStreamAsync(string path, CancellationToken ct)
    {
        using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headersTimeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, Absolute(path));
        request.Headers.Accept.Add(EventStreamMedia);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token);
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(headersTimeout.Token);
                throw PressApiException.From(response.StatusCode, response.ReasonPhrase, body);
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PressUnreachableException(BaseUrl, $"no response within {RequestTimeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PressUnreachableException(BaseUrl, Describe(ex), ex);
        }
    }

    /// <summary>
    /// Opens a download and returns once the headers arrived (within <see cref="RequestTimeout"/>); the caller owns
    /// the response and streams its body. <paramref name="url"/> is either a path starting with '/' — served by the
    /// manager, sent with the bearer token like every API call — or an absolute http(s) URL, fetched WITHOUT the
    /// Authorization header. Non-2xx answers become <see cref="PressApiException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> OpenDownloadAsync(string url, CancellationToken ct)
    {
        HttpClient client;
        Uri target;
        string subject;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        {
            (client, target, subject) = (_http, Absolute(url), "Press");
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            (client, target, subject) = (_anonymous.Value, uri, "the backup store");
        }
        else
        {
            throw new JsonException($"the download link is neither a path nor an http(s) URL: {Redact(url)}");
        }

        using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headersTimeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        var where = Redact(target.ToString());
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token);
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var body = await ReadLimitedAsync(response.Content, MaxErrorBody, headersTimeout.Token);
                throw PressApiException.From(response.StatusCode, response.ReasonPhrase, body);
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PressUnreachableException(where, $"no response within {RequestTimeout.TotalSeconds:0} s", ex, subject);
        }
        catch (HttpRequestException ex)
        {
            throw new PressUnreachableException(where, Describe(ex), ex, subject);
        }
    }

    /// <summary>
    /// A presigned link's query string is a credential (its signature); messages show only scheme, host and path.
    /// </summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Query)
            ? uri.GetLeftPart(UriPartial.Path) + "?…"
            : url;

    private const int MaxErrorBody = 16 * 1024;

    /// <summary>An error body is shown, not stored: read only its beginning, however large it claims to be.</summary>
    private static async Task<string> ReadLimitedAsync(HttpContent content, int limit, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total, limit - total), ct)) > 0) total += read;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_anonymous.IsValueCreated) _anonymous.Value.Dispose();
    }

    /// <summary>
    /// HttpRequestException often says only "An error occurred while sending the request";
    /// the useful part ("Connection reset by peer", a TLS error) is in the inner exceptions.
    /// </summary>
    private static string Describe(HttpRequestException ex)
    {
        var messages = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Any(m => m.Contains(e.Message, StringComparison.Ordinal))) messages.Add(e.Message);
        }
        return string.Join(": ", messages);
    }

    private Uri Absolute(string path) => new($"{BaseUrl}/{path.TrimStart('/')}");
}
