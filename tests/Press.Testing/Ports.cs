using System.Net;
using System.Net.Sockets;

namespace Press.Testing;

/// <summary>
/// Free TCP ports inside the end-to-end and CLI suites' range 49740–49798 (49799 stays closed on purpose: CLI tests
/// expect nothing there). Ports are handed out round-robin and held until released, so a port a killed process just left is not
/// handed out again at once, and parallel test classes never get the same one. Test assemblies run in processes of their
/// own at the same time (the manager's tests and the end-to-end suite both take ports here), so each port is also held
/// by an exclusive lock on a file of its own: another process skips a port whose lock it cannot take, where a check
/// that the port is free could pass in both before either binds.
/// </summary>
public static class Ports
{
    public const int First = 49740;
    public const int Last = 49798;
    public const int AlwaysClosed = 49799;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, FileStream> Taken = [];
    private static readonly string LockFolder = Path.Combine(Path.GetTempPath(), "press-test-ports");
    private static int _next = First;

    public static int Reserve()
    {
        lock (Gate)
        {
            for (var i = 0; i <= Last - First; i++)
            {
                var port = _next;
                _next = port == Last ? First : port + 1;
                if (Taken.ContainsKey(port) || TryLock(port) is not { } held) continue;
                if (!IsFree(port))
                {
                    held.Dispose();
                    continue;
                }
                Taken.Add(port, held);
                return port;
            }
        }
        throw new InvalidOperationException($"No free TCP port left in {First}–{Last} on 127.0.0.1.");
    }

    public static void Release(int port)
    {
        lock (Gate)
        {
            if (Taken.Remove(port, out var held)) held.Dispose();
        }
    }

    /// <summary>The port's lock file, held exclusively (flock on Linux); null when another process holds it.</summary>
    private static FileStream? TryLock(int port)
    {
        Directory.CreateDirectory(LockFolder);
        try
        {
            return new FileStream(Path.Combine(LockFolder, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
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
