using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>Port numbers a compose service names, wherever they are: <c>ports:</c>, command, entrypoint, health check and environment.</summary>
internal static partial class ComposeScan
{
    public sealed record Port(string Service, string Where, int Number);

    public static IEnumerable<Port> Ports(ComposeService service)
    {
        foreach (var p in (JArray?)service.Node["ports"] ?? [])
            foreach (Match m in Digits().Matches(p.ToString()))
                yield return new(service.Name, "ports", int.Parse(m.Value));

        foreach (var (where, words) in new[] { ("command", service.Command), ("entrypoint", service.Entrypoint), ("healthcheck", service.HealthTest) })
            foreach (var port in InText(string.Join(' ', words)))
                yield return new(service.Name, where, port);

        foreach (var (key, value) in service.Environment)
        {
            if (value is null) continue;
            if (key.EndsWith("PORT", StringComparison.OrdinalIgnoreCase))
                yield return new(service.Name, $"environment {key}", int.Parse(value));
            else
                foreach (var port in InText(value))
                    yield return new(service.Name, $"environment {key}", port);
        }
    }

    /// <summary>[host]:port and URLs, /dev/tcp/host/port, --port N, -p N, port=N (Port= in connection strings).</summary>
    public static IEnumerable<int> InText(string text) =>
        HostPort().Matches(text).Concat(DevTcp().Matches(text)).Concat(PortFlag().Matches(text))
            .Select(m => int.Parse(m.Groups["port"].Value));

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|\$\{[^}]+\}|[A-Za-z][A-Za-z0-9.-]*)?:(?<port>\d{1,5})(?![\d.])")]
    private static partial Regex HostPort();

    [GeneratedRegex(@"/dev/tcp/[^/\s]+/(?<port>\d{1,5})")]
    private static partial Regex DevTcp();

    [GeneratedRegex(@"(?:--port[= ]|(?<![\w-])-p ?|\bport=)(?<port>\d{1,5})\b", RegexOptions.IgnoreCase)]
    private static partial Regex PortFlag();
}
