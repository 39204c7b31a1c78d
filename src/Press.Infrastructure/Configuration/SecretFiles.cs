using Microsoft.Extensions.Configuration;

namespace Press.Infrastructure.Configuration;

/// <summary>
/// The <c>*_FILE</c> convention of Docker secrets: <c>Press__Admin__Password_FILE=/run/secrets/admin</c> sets
/// <c>Press:Admin:Password</c> to that file's content (trailing newline removed). Secrets never need to sit in env.
/// </summary>
public static class SecretFiles
{
    public const string Suffix = "_FILE";

    public static IConfigurationBuilder AddSecretFiles(this IConfigurationBuilder builder)
    {
        var snapshot = builder.Build();
        var values = new Dictionary<string, string?>();
        foreach (var (key, path) in snapshot.AsEnumerable())
        {
            // Only Press's own keys: other tools' *_FILE variables (TF_CLI_CONFIG_FILE …) are none of our business.
            if (!key.StartsWith("Press:", StringComparison.OrdinalIgnoreCase)
                || !key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(path)) continue;
            if (!File.Exists(path))
                throw new InvalidOperationException($"Configuration '{key}' points at '{path}', which does not exist.");
            values[key[..^Suffix.Length]] = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        return builder.AddInMemoryCollection(values);
    }
}
