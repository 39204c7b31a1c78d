using System.Globalization;
using System.Text.Json;

namespace Press.Cli.Api;

/// <summary>One stored object of a backup, as the manifest lists it.</summary>
public sealed record BackupPart(string Name, string? Key, long? Size, string? Sha256);

/// <summary>
/// The few manifest fields the CLI shows. The manifest is arbitrary JSON that the server may extend, so it is kept as
/// a <see cref="JsonElement"/> and read defensively: a field of an unexpected shape is treated as absent.
/// </summary>
public sealed record BackupManifest(
    IReadOnlyList<BackupPart> Parts,
    string? PostgresServer,
    string? PgDump,
    int? TableCount,
    long? TotalRows)
{
    public static BackupManifest? Read(JsonElement? manifest)
    {
        if (manifest is not { ValueKind: JsonValueKind.Object } root) return null;

        var parts = new List<BackupPart>();
        if (root.TryGetProperty("parts", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || String(item, "name") is not { } name) continue;
                parts.Add(new BackupPart(name, String(item, "key"), Number(item, "size"), String(item, "sha256")));
            }
        }

        string? server = null, pgDump = null;
        if (root.TryGetProperty("postgres", out var postgres) && postgres.ValueKind == JsonValueKind.Object)
        {
            server = String(postgres, "server");
            pgDump = String(postgres, "pgDump");
        }

        int? tableCount = null;
        long? rows = null;
        if (root.TryGetProperty("tables", out var tables) && tables.ValueKind == JsonValueKind.Object)
        {
            tableCount = 0;
            rows = 0;
            foreach (var table in tables.EnumerateObject())
            {
                tableCount++;
                if (AsLong(table.Value) is { } count) rows += count;
            }
        }
        return new BackupManifest(parts, server, pgDump, tableCount, rows);
    }

    /// <summary>The manifest's entry for a downloadable part (matched by name, case-insensitively), if any.</summary>
    public BackupPart? Part(string name) =>
        Parts.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? AsLong(value) : null;

    private static long? AsLong(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };
}
