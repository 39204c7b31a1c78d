using System.Security.Cryptography;

namespace Press.EndToEnd.Tests.Images;

/// <summary>
/// A temporary folder of secret files, bind-mounted read-only at <see cref="MountPath"/> and read through Press's
/// <c>…_FILE</c> settings — the production path (compose mounts Docker secrets the same way). The folder is 0755 and
/// its files 0444, as docker/README.md asks, because the containers read them as the non-root <c>app</c> user.
/// </summary>
public sealed class SecretFolder : IDisposable
{
    public const string MountPath = "/run/secrets";

    public string HostPath { get; }

    public SecretFolder()
    {
        HostPath = Path.Combine(Path.GetTempPath(), "fcs-press-img-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(HostPath);
        SetMode(HostPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>Writes <paramref name="value"/> to a file and returns its path inside the container.</summary>
    public string Add(string name, string value)
    {
        var path = Path.Combine(HostPath, name);
        File.WriteAllText(path, value + "\n");
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return $"{MountPath}/{name}";
    }

    // Docker engines (and so these tests) run on Linux only.
    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    /// <summary>The <c>docker run</c> option that mounts the folder.</summary>
    public string[] MountArgs => ["-v", $"{HostPath}:{MountPath}:ro"];

    /// <summary>
    /// <paramref name="environment"/> with each of <paramref name="secretKeys"/> moved into a file here and replaced by
    /// its <c>KEY_FILE</c> form; keys absent from the environment are skipped.
    /// </summary>
    public Dictionary<string, string> AsFiles(IReadOnlyDictionary<string, string> environment, params string[] secretKeys)
    {
        var result = new Dictionary<string, string>(environment);
        foreach (var key in secretKeys)
        {
            if (!result.Remove(key, out var value)) continue;
            result[key + "_FILE"] = Add(key.Replace("__", "_").ToLowerInvariant(), value);
        }
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(HostPath, recursive: true); }
        catch (IOException) { /* best effort: a temp folder */ }
        catch (UnauthorizedAccessException) { /* idem */ }
    }
}
