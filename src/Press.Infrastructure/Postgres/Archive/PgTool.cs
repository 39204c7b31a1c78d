using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// Starts one PostgreSQL client tool. The connection goes through PG* environment variables (the password too:
/// never on a command line, where any local user could read it), and the caller's own PG* variables are dropped so
/// nothing from the host leaks into a tool run.
/// </summary>
internal static partial class PgTool
{
    public static string PathOf(BackupOptions options, string tool)
    {
        if (!string.IsNullOrEmpty(options.ToolsFolder)) return Path.Combine(options.ToolsFolder, tool);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return tool;
    }

    public static Process Start(BackupOptions options, string tool, NpgsqlConnectionStringBuilder connection, IEnumerable<string> args,
        bool stdin = false)
    {
        var info = new ProcessStartInfo(PathOf(options, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        info.Environment["PGHOST"] = connection.Host;
        info.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PGUSER"] = connection.Username;
        info.Environment["PGDATABASE"] = connection.Database;
        info.Environment["PGAPPNAME"] = "press-" + tool;
        info.Environment["PGCONNECT_TIMEOUT"] = "15";
        if (!string.IsNullOrEmpty(connection.Password)) info.Environment["PGPASSWORD"] = connection.Password;
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new Core.Jobs.StepFailedException(Core.Jobs.FailureKind.Permanent,
                $"cannot run {info.FileName}: {ex.Message}. Install PostgreSQL client tools of the server's major version and set Press:Backups:ToolsFolder to their folder.");
        }
    }

    /// <summary>Reads a tool's stderr into a bounded buffer (the last 8 KiB), for error messages.</summary>
    public static Task<string> CollectErrorsAsync(Process process) => Task.Run(async () =>
    {
        var tail = new StringBuilder();
        string? line;
        while ((line = await process.StandardError.ReadLineAsync()) is not null)
        {
            tail.AppendLine(line);
            if (tail.Length > 8192) tail.Remove(0, tail.Length - 8192);
        }
        return tail.ToString().Trim();
    });

    /// <summary>A lost or refused connection is worth retrying; anything else (permissions, a bad archive, version
    /// trouble) fails the same way again.</summary>
    public static Core.Jobs.FailureKind Classify(string stderr) =>
        stderr.Contains("could not connect", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("server closed the connection", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("connection to server", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("the database system is", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("timeout", StringComparison.OrdinalIgnoreCase)
            ? Core.Jobs.FailureKind.Transient
            : Core.Jobs.FailureKind.Permanent;

    /// <summary>"pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)" → 17.</summary>
    public static int? MajorOf(string versionLine) =>
        VersionPattern().Match(versionLine) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();

    /// <summary>The first minor of each major whose pg_restore wraps its SQL in <c>\restrict</c> and whose psql honours it.</summary>
    private static readonly Dictionary<int, int> RestrictMinor = new() { [13] = 22, [14] = 19, [15] = 14, [16] = 10, [17] = 6 };

    public static string RestrictSince(int major) => RestrictMinor.TryGetValue(major, out var minor) ? $"{major}.{minor}" : $"{major}";

    /// <summary>
    /// True for pg_restore or psql releases from before <c>\restrict</c>: pg_restore's SQL carries names a tenant chose,
    /// and an older psql would run a backslash command smuggled into them. Majors from 18 on have it from the start.
    /// </summary>
    public static bool LacksRestrict(string versionLine)
    {
        if (VersionPattern().Match(versionLine) is not { Success: true } m) return true;
        var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var minor = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return RestrictMinor.TryGetValue(major, out var first) ? minor < first : major < 13;
    }

    public static async Task<string?> VersionAsync(BackupOptions options, string tool, CancellationToken ct)
    {
        try
        {
            var info = new ProcessStartInfo(PathOf(options, tool), "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(info);
            if (p is null) return null;
            var output = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            return p.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static void Kill(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }
}
