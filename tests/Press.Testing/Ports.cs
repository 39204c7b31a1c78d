using System.Net;
using System.Net.Sockets;

namespace Press.Testing;

/// <summary>
/// Free TCP ports inside the end-to-end and CLI suites' range 49740–49798 (49799 stays closed on purpose: CLI tests
/// expect nothing there). Ports are handed out round-robin and held until released, so a port a killed process just left is not
/// handed out again at once, and parallel test classes never get the same one.
/// </summary>
public static class Ports
{
    public const int First = 49740;
    public const int Last = 49798;
    public const int AlwaysClosed = 49799;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Taken = [];
    private static int _next = First;

    public static int Reserve()
    {
        lock (Gate)
        {
            for (var i = 0; i <= Last - First; i++)
            {
                var port = _next;
                _next = port == Last ? First : port + 1;
                if (Taken.Contains(port) || !IsFree(port)) continue;
                Taken.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free TCP port left in {First}–{Last} on 127.0.0.1.");
    }

    public static void Release(int port)
    {
        lock (Gate) Taken.Remove(port);
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
