using Press.FrappeDouble.Cli;

namespace Press.FrappeDouble.Site;

/// <summary>
/// Frappe's <c>filelock(name)</c>: an exclusive lock on <c>sites/SITE/locks/NAME.lock</c>. .NET's FileShare.None
/// is an flock on Linux, so it also excludes other double processes (same or another container on the volume).
/// </summary>
public static class FileLock
{
    public static async Task<IDisposable> AcquireAsync(string sitePath, string name, TimeSpan timeout)
    {
        var dir = Path.Combine(sitePath, "locks");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, name + ".lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (IOException)
            {
                throw new BenchException($"Failed to acquire lock: {name}. Lock may be held by another process.");
            }
        }
    }
}
