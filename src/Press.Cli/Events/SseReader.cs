using System.Runtime.CompilerServices;
using System.Text;

namespace Press.Cli.Events;

/// <summary>One dispatched server-sent event.</summary>
public sealed record SseEvent(string Name, string Data);

/// <summary>Minimal text/event-stream parser (WHATWG rules for the fields Press uses).</summary>
public static class SseReader
{
    /// <summary>
    /// Yields events until the server closes the stream. Throws <see cref="TimeoutException"/>
    /// when nothing at all (not even a keep-alive comment) arrives within
    /// <paramref name="idleTimeout"/>: a silently dead connection must not hang a watch forever.
    /// </summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(
        Stream stream, TimeSpan idleTimeout, [EnumeratorCancellation] CancellationToken ct)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (true)
        {
            idle.CancelAfter(idleTimeout);
            string? line;
            try
            {
                line = await reader.ReadLineAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no data on the event stream for {idleTimeout.TotalSeconds:0} s");
            }
            // End of stream: an event without its terminating blank line is incomplete and dropped.
            if (line is null) yield break;

            if (line.Length == 0)
            {
                if (hasData) yield return new SseEvent(name ?? "message", data.ToString());
                name = null;
                data.Clear();
                hasData = false;
                continue;
            }
            if (line[0] == ':') continue; // keep-alive comment

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    if (hasData) data.Append('\n');
                    data.Append(value);
                    hasData = true;
                    break;
                // "id" and "retry" are not needed: after a drop we re-read the job instead of replaying.
            }
        }
    }
}
