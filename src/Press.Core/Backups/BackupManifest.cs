using System.Text.Json;
using System.Text.Json.Serialization;

namespace Press.Core.Backups;

/// <summary>
/// <c>manifest.json</c>: what a backup holds and how to check it, self-describing so a backup can be understood (and
/// restored by hand with pg_restore) without Press's metadata.
/// </summary>
public sealed record BackupManifest(
    string Format,
    Guid BackupId,
    string Site,
    Guid SiteId,
    string Database,
    string Schema,
    string Trigger,
    ManifestPostgres Postgres,
    IReadOnlyList<ManifestApp> Apps,
    IReadOnlyList<BackupPart> Parts,
    string? FilesNote,
    IReadOnlyDictionary<string, long> Tables,
    long TotalSize,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DumpLayout? DatabaseLayout = null)
{
    /// <summary>/2 records <see cref="DatabaseLayout"/> (compression, data parts); /1 manifests have none and hold one
    /// gzip archive.</summary>
    public const string CurrentFormat = "press-backup/2";

    /// <summary>How the database parts were written; a manifest without one is from before layouts (one gzip archive).</summary>
    public DumpLayout Layout => DatabaseLayout ?? DumpLayout.Legacy;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BackupManifest? FromJson(string json) => JsonSerializer.Deserialize<BackupManifest>(json, Json);

    public BackupPart? Part(string name) => Parts.FirstOrDefault(p => p.Name == name);
}

/// <param name="Server">The server's version as it reported it (SHOW server_version).</param>
/// <param name="PgDump">pg_dump's own version line.</param>
public sealed record ManifestPostgres(string Server, string PgDump);

/// <param name="Version">null when the runtime does not report versions.</param>
public sealed record ManifestApp(string Name, string? Version);
