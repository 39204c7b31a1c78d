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

    public PressTransport(string baseUrl, string token)
    {
        BaseUrl = baseUrl;
        // A short connect timeout: a black-holed host should fail in seconds, not after 100.
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var version = Assembly.GetExecutingAssembly().GetName().Version?.ToString(3) ?? "0.0.0";
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("press-cli", version));
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

    public void Dispose() => _http.Dispose();

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
