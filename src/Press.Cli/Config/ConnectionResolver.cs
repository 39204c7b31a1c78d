using Press.Cli.Commands;

namespace Press.Cli.Config;

/// <summary>
/// Decides which URL and token to use. Precedence, per value: command-line option, then
/// environment (PRESS_URL / PRESS_TOKEN, written by the dev script to .press/dev.env),
/// then the config file saved by <c>press login</c>.
/// </summary>
public static class ConnectionResolver
{
    public static Connection Resolve(string? urlOption, string? tokenOption)
    {
        var stored = ConfigStore.Load();
        var url = First(urlOption, Environment.GetEnvironmentVariable("PRESS_URL"), stored?.Url)
            ?? throw new UsageException(
                "no Press URL configured: run `press login --url URL --token TOKEN`, set PRESS_URL, or pass --url");
        var token = First(tokenOption, Environment.GetEnvironmentVariable("PRESS_TOKEN"), stored?.Token)
            ?? throw new UsageException(
                "no API token configured: run `press login --url URL --token TOKEN`, set PRESS_TOKEN, or pass --token");
        return new Connection(NormalizeUrl(url), token.Trim());
    }

    /// <summary>Only absolute http(s) URLs; the trailing slash is dropped so paths can be appended.</summary>
    public static string NormalizeUrl(string url)
    {
        var trimmed = url.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"'{url}' is not an http(s) URL, e.g. http://localhost:5080");
        return trimmed.TrimEnd('/');
    }

    private static string? First(params string?[] candidates) =>
        candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
}
