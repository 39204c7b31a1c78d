using System.Security.Cryptography;
using System.Text;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// The published JSON Schemas live inside the repository (tests/schemas), so a fresh clone with nothing beside it
/// runs these tests; tests/schemas/SOURCES.md names each file's origin, and the blob hash it gives proves the copy
/// is the upstream file byte for byte.
/// </summary>
public sealed class SchemaSourcesTests
{
    public static TheoryData<string> Schemas => [JsonSchemas.Compose, JsonSchemas.TraefikStatic, JsonSchemas.TraefikFileProvider];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Each_schema_is_read_from_inside_the_repository(string file)
    {
        var path = Path.GetFullPath(Path.Combine(DeploymentPaths.Schemas, file));

        Assert.StartsWith(DeploymentPaths.Repo + Path.DirectorySeparatorChar, path);
        Assert.True(File.Exists(path), $"{path} is missing");
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Sources_names_each_schema_with_the_blob_hash_of_its_bytes(string file)
    {
        var sources = File.ReadAllText(Path.Combine(DeploymentPaths.Schemas, "SOURCES.md"));
        var row = sources.Split('\n').SingleOrDefault(l => l.StartsWith($"| `{file}` |", StringComparison.Ordinal));

        Assert.True(row is not null, $"SOURCES.md has no row for {file}");
        Assert.Contains($"blob `{GitBlobHash(File.ReadAllBytes(Path.Combine(DeploymentPaths.Schemas, file)))}`", row);
        Assert.Matches(@"\| Apache-2\.0, ""Copyright [^""]+"" \|$", row.TrimEnd());
    }

    [Fact]
    public void The_licence_the_sources_name_is_in_the_folder() =>
        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(DeploymentPaths.Schemas, "LICENSE-Apache-2.0.txt")));

    /// <summary>What <c>git hash-object</c> prints: SHA-1 of "blob LENGTH\0" followed by the bytes.</summary>
    internal static string GitBlobHash(byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
    }
}
