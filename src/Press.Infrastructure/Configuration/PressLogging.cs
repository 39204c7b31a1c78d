using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Press.Infrastructure.Configuration;

/// <summary>
/// <c>Press__Logging__Format</c>: <c>simple</c> (the default, for people) or <c>json</c> — Microsoft.Extensions.Logging's
/// JSON console formatter, one object per line with the scopes, so every line logged while a job runs carries its
/// <c>JobId</c>, <c>JobKind</c>, <c>SiteName</c> and (within a step) <c>Step</c> (docs/architecture.md §13).
/// </summary>
public static class PressLogging
{
    public const string FormatKey = "Press:Logging:Format";

    public static ILoggingBuilder AddPressLogging(this ILoggingBuilder logging, IConfiguration config)
    {
        var format = config[FormatKey];
        if (string.IsNullOrWhiteSpace(format) || string.Equals(format, "simple", StringComparison.OrdinalIgnoreCase))
            return logging;
        if (!string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Press__Logging__Format is '{format}'; use 'json' or 'simple' (the default).");
        return logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
    }
}
