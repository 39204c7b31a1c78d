using System.Text.Json;
using Press.Cli.Api;
using Press.Cli.Commands;

namespace Press.Cli.Config;

/// <summary>Reads and writes the config file holding the URL and token saved by <c>press login</c>.</summary>
public static class ConfigStore
{
    // The token is a credential: the file must never be readable by other users, not even briefly.
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDir = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>$PRESS_CONFIG, else $XDG_CONFIG_HOME/press/config.json, else ~/.config/press/config.json.</summary>
    public static string Path
    {
        get
        {
            var explicitPath = Environment.GetEnvironmentVariable("PRESS_CONFIG");
            if (!string.IsNullOrWhiteSpace(explicitPath)) return explicitPath;
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var configHome = string.IsNullOrWhiteSpace(xdg)
                ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
                : xdg;
            return System.IO.Path.Combine(configHome, "press", "config.json");
        }
    }

    /// <returns>null when no config file exists yet.</returns>
    public static CliConfig? Load()
    {
        var path = Path;
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), PressJsonContext.Default.CliConfig);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"config file {path} is not valid JSON ({ex.Message}); fix it or run `press login` again");
        }
    }

    public static void Save(CliConfig config)
    {
        var path = Path;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, OwnerOnlyDir);

        // Write a fresh file created with mode 600, then rename it over the old one: readers
        // never see a half-written file and the mode is right from the first byte.
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, config, PressJsonContext.Default.CliConfig);
        }
        // FileMode.Create keeps the mode of a leftover temp file; enforce it explicitly.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, OwnerOnly);
        File.Move(temp, path, overwrite: true);
    }
}
