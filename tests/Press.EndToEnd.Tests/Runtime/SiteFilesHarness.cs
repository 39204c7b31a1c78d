using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.EndToEnd.Tests.Harness;
using Press.Infrastructure.Postgres;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// Runs a shell script with a site's folder as <c>$1</c> (further arguments follow), wherever that folder is: on this
/// host (process driver), in the site's runner, or in a throwaway container that mounts the site's volume (a stopped
/// or removed runner). Fails the test unless the script exits 0; returns its standard output.
/// </summary>
public interface ISiteFolderShell
{
    Task<string> RunAsync(string site, string script, params string[] args);
}

/// <summary>The process driver's site folders, under the bench folder on this host.</summary>
public sealed class LocalFolderShell(string benchFolder) : ISiteFolderShell
{
    public async Task<string> RunAsync(string site, string script, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", script, "sh", ProcessRunners.SiteFolder(benchFolder, site), .. args]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"sh in {site}'s folder exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}

/// <summary>In the site's running runner, as its user (frappe, uid 1000).</summary>
public sealed class RunnerFolderShell : ISiteFolderShell
{
    public async Task<string> RunAsync(string site, string script, params string[] args)
    {
        var result = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(site), ["sh", "-c", script, "sh", $"{SiteFiles.BenchFolder}/sites/{site}", .. args]);
        Assert.True(result.ExitCode == 0, $"sh in {RuntimeStack.ContainerOf(site)}: {result}");
        return result.Stdout;
    }
}

/// <summary>A throwaway container of the test image with only the site's volume (mounted where the runner has it), as uid 1000, no network.</summary>
public sealed class VolumeFolderShell : ISiteFolderShell
{
    public async Task<string> RunAsync(string site, string script, params string[] args)
    {
        var folder = $"{SiteFiles.BenchFolder}/sites/{site}";
        var result = await TestEngine.RunAsync(["run", "--rm", "--network", "none", "--user", "1000:1000", "-v", $"{RuntimeStack.ContainerOf(site)}:{folder}",
            "--entrypoint", "sh", Press.Testing.TestServices.DoubleImage, "-c", script, "sh", folder, .. args]);
        Assert.True(result.ExitCode == 0, $"sh in a container with volume {RuntimeStack.ContainerOf(site)}: {result}");
        return result.Stdout;
    }
}

/// <summary>The files of the round trip, as shell scripts every driver's folder can run, and what they add up to.</summary>
public static class SiteFileSets
{
    public const string UnicodeName = "résumé ünïcødé 日本.txt";

    /// <summary>Nested folders, a unicode name, an empty file, an empty folder, a 5 MiB file of random bytes, both areas.</summary>
    public const string CreateOriginal = """
        set -e
        cd "$1"
        mkdir -p public/files/nested/deeper private/files/reports private/files/empty-folder
        printf 'hello public\n' > public/files/hello.txt
        : > public/files/empty.txt
        printf 'unicode name\n' > "public/files/nested/deeper/$2"
        head -c 5242880 /dev/urandom > private/files/reports/big.bin
        printf 'private note\n' > private/files/private-note.txt
        """;

    /// <summary>Another site's own files, different in every way.</summary>
    public const string CreateOther = """
        set -e
        cd "$1"
        mkdir -p public/files/old private/files
        printf 'the other site\n' > public/files/old/other.txt
        printf 'the other site, private\n' > private/files/other-private.txt
        """;

    /// <summary>
    /// Every folder and file under <c>$1/$2</c>'s public/files and private/files, relative to <c>$1/$2</c>: "d PATH",
    /// "f PATH SIZE SHA256", "o PATH" for anything else. Unsorted (the test sorts).
    /// </summary>
    public const string Manifest = """
        cd "$1/$2" || exit 1
        for a in public/files private/files; do
          [ -e "$a" ] || continue
          find "$a" -type d -printf 'd %p\n'
          find "$a" ! -type d ! -type f -printf 'o %p\n'
          find "$a" -type f -exec sh -c 'for f do printf "f %s %s %s\n" "$f" "$(stat -c %s "$f")" "$(sha256sum < "$f" | cut -d" " -f1)"; done' sh {} +
        done
        """;

    /// <summary>Paths under <c>$1/$2</c> not owned by uid 1000 (Docker: the bench user must own every file).</summary>
    public const string NotOwnedByBench = """
        cd "$1/$2" || exit 1
        find . ! -uid 1000 -printf '%p %u\n'
        """;

    public static async Task<List<string>> ManifestAsync(this ISiteFolderShell shell, string site, string below = ".") =>
        Sorted(await shell.RunAsync(site, Manifest, below));

    public static async Task<bool> ExistsAsync(this ISiteFolderShell shell, string site, string path) =>
        (await shell.RunAsync(site, "if [ -e \"$1/$2\" ]; then echo yes; else echo no; fi", path)).Trim() == "yes";

    /// <summary>The same lines for a tar's entries; "o" for anything neither file nor folder.</summary>
    public static List<string> ManifestOf(byte[] tar)
    {
        var lines = new List<string>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.TrimEnd('/');
            lines.Add(entry.EntryType switch
            {
                TarEntryType.Directory => $"d {name}",
                TarEntryType.RegularFile => $"f {name} {entry.Length} {Sha256(entry.DataStream)}",
                _ => $"o {name}",
            });
        }
        return lines;
    }

    public static List<string> Sorted(string lines) => Sorted(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    public static List<string> Sorted(IEnumerable<string> lines) => lines.Order(StringComparer.Ordinal).ToList();

    private static string Sha256(Stream? data) => Convert.ToHexStringLower(data is null ? SHA256.HashData([]) : SHA256.HashData(data));
}

/// <summary>Streams as the backup steps hand them over: a pipe's ends, which cannot seek.</summary>
public sealed class ForwardOnlyStream(Stream inner, bool write) : Stream
{
    public override bool CanRead => !write;
    public override bool CanSeek => false;
    public override bool CanWrite => write;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => write ? throw new NotSupportedException() : inner.Read(buffer, offset, count);
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!write) throw new NotSupportedException();
        inner.Write(buffer, offset, count);
    }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Archives a restore must refuse, each with the entry it must name; a harmless entry comes first so something is half-staged.</summary>
public static class HostileTars
{
    public static IEnumerable<(string Name, string Entry, byte[] Tar)> All()
    {
        yield return ("parent path", "../evil", Build(e => e.File("../evil", "escaped")));
        yield return ("parent path inside files", "public/files/../../evil", Build(e => e.File("public/files/../../evil", "escaped")));
        yield return ("absolute path", "/tmp/evil", Build(e => e.File("/tmp/evil", "absolute")));
        yield return ("symbolic link", "public/files/link", Build(e => e.Link(TarEntryType.SymbolicLink, "public/files/link", "../../site_config.json")));
        yield return ("hard link", "private/files/hard", Build(e => e.Link(TarEntryType.HardLink, "private/files/hard", "site_config.json")));
        yield return ("site_config.json", "site_config.json", Build(e => e.File("site_config.json", "{\"db_password\":\"stolen\"}")));
    }

    public sealed class Writer(TarWriter writer)
    {
        public void File(string name, string content) => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Uid = 1000, Gid = 1000,
        });

        public void Link(TarEntryType type, string name, string target) => writer.WriteEntry(new PaxTarEntry(type, name) { LinkName = target });
    }

    private static byte[] Build(Action<Writer> bad)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "public/files/"));
            var w = new Writer(writer);
            w.File("public/files/harmless.txt", "fine");
            bad(w);
            w.File("public/files/after.txt", "never reached");
        }
        return tar.ToArray();
    }
}

public static class SiteRecords
{
    /// <summary>The site as the worker's steps get it, from this installation's metadata.</summary>
    public static async Task<Site> LoadAsync(RuntimeStack stack, string name)
    {
        await using var sources = new PressDataSources(stack.Db.Options);
        await using var conn = await sources.Metadata.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT id FROM sites WHERE name = @n", conn);
        cmd.Parameters.AddWithValue("n", name);
        var id = (Guid)(await cmd.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no site {name}"));
        return await new SiteStore(sources, TimeProvider.System).GetAsync(id, CancellationToken.None)
               ?? throw new InvalidOperationException($"no site {name}");
    }

    /// <summary>Rows in the site's "tabPatch Log" (the double's migrate adds one per run).</summary>
    public static async Task<long> PatchLogRowsAsync(RuntimeStack stack, Site site)
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync(site.Location.Database);
        await using var cmd = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM \"{site.Location.Schema}\".\"tabPatch Log\"", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// The backup-and-restore round trip both drivers must pass, with the same files and the same expectations: export,
/// stage into another site, swap (twice), unswap (twice), discard (twice).
/// </summary>
public static class FilesRoundTrip
{
    public const string RestoreId = "r-roundtrip-1";

    public static async Task RunAsync(ISiteRuntime runtime, Site source, Site target, ISiteFolderShell shell, Func<string, Task>? afterEachStep = null)
    {
        var ct = CancellationToken.None;
        afterEachStep ??= _ => Task.CompletedTask;
        await shell.RunAsync(source.Name, SiteFileSets.CreateOriginal, SiteFileSets.UnicodeName);
        await shell.RunAsync(target.Name, SiteFileSets.CreateOther);
        var original = await shell.ManifestAsync(source.Name);
        var other = await shell.ManifestAsync(target.Name);
        Assert.Equal(11, original.Count); // 6 folders, 5 files: what the script made

        // Export: one tar, exactly those folders and files, streamed into a destination that cannot seek.
        using var sink = new MemoryStream();
        var exported = await runtime.ExportFilesAsync(source, new ForwardOnlyStream(sink, write: true), ct);
        Assert.True(exported.Applied, exported.Message);
        Assert.StartsWith("exported 5 files (5.0 MiB) in 6 folders", exported.Message);
        var tar = sink.ToArray();
        Assert.Equal(original, SiteFileSets.Sorted(SiteFileSets.ManifestOf(tar)));
        Assert.DoesNotContain(SiteFileSets.ManifestOf(tar), l => l.Contains("site_config", StringComparison.Ordinal));
        Assert.Equal(original, await shell.ManifestAsync(source.Name)); // the source is only read
        await afterEachStep("export");

        // Stage into the other site: its live files are untouched.
        var staged = await runtime.StageFilesAsync(target, RestoreId, new ForwardOnlyStream(new MemoryStream(tar), write: false), ct);
        Assert.True(staged.Applied, staged.Message);
        Assert.StartsWith($"staged 5 files (5.0 MiB) in 6 folders in .press-restore/{RestoreId}/staged; live files untouched", staged.Message);
        Assert.Equal(other, await shell.ManifestAsync(target.Name));
        Assert.Equal(original, await shell.ManifestAsync(target.Name, $".press-restore/{RestoreId}/staged"));
        await afterEachStep("stage");

        // Staging again starts from a clean staging folder.
        var again = await runtime.StageFilesAsync(target, RestoreId, new MemoryStream(tar), ct);
        Assert.True(again.Applied, again.Message);
        Assert.Equal(original, await shell.ManifestAsync(target.Name, $".press-restore/{RestoreId}/staged"));

        // Swap: the exported files are live, byte for byte; the other site's own are kept.
        var swapped = await runtime.SwapFilesAsync(target, RestoreId, ct);
        Assert.True(swapped.Applied, swapped.Message);
        Assert.StartsWith("public/files swapped; private/files swapped", swapped.Message);
        Assert.Equal(original, await shell.ManifestAsync(target.Name));
        Assert.Equal(other, await shell.ManifestAsync(target.Name, $".press-restore/{RestoreId}/previous"));
        Assert.False(await shell.ExistsAsync(target.Name, $".press-restore/{RestoreId}/staged/public/files"));
        await afterEachStep("swap");

        var swappedAgain = await runtime.SwapFilesAsync(target, RestoreId, ct);
        Assert.True(swappedAgain.Applied, swappedAgain.Message);
        Assert.StartsWith("public/files already swapped; private/files already swapped", swappedAgain.Message);
        Assert.Equal(original, await shell.ManifestAsync(target.Name));

        // Staging over a swapped restore would mix two states: refused.
        var restage = await Assert.ThrowsAsync<StepFailedException>(() => runtime.StageFilesAsync(target, RestoreId, new MemoryStream(tar), ct));
        Assert.Equal(FailureKind.Permanent, restage.Kind);
        Assert.Contains("already swapped", restage.Message);

        // Unswap: the other site's own files are back; the restored ones wait in staging again.
        var unswapped = await runtime.UnswapFilesAsync(target, RestoreId, ct);
        Assert.True(unswapped.Applied, unswapped.Message);
        Assert.StartsWith("public/files unswapped; private/files unswapped", unswapped.Message);
        Assert.Equal(other, await shell.ManifestAsync(target.Name));
        Assert.Equal(original, await shell.ManifestAsync(target.Name, $".press-restore/{RestoreId}/staged"));
        Assert.False(await shell.ExistsAsync(target.Name, $".press-restore/{RestoreId}/previous/public/files"));
        await afterEachStep("unswap");

        var unswappedAgain = await runtime.UnswapFilesAsync(target, RestoreId, ct);
        Assert.StartsWith("public/files not swapped; private/files not swapped", unswappedAgain.Message);
        Assert.Equal(other, await shell.ManifestAsync(target.Name));

        // Discard: the restore's folder is gone, the live files stay.
        var discarded = await runtime.DiscardRestoreFilesAsync(target, RestoreId, ct);
        Assert.True(discarded.Applied, discarded.Message);
        Assert.StartsWith($"deleted .press-restore/{RestoreId}", discarded.Message);
        Assert.False(await shell.ExistsAsync(target.Name, $".press-restore/{RestoreId}"));
        Assert.False(await shell.ExistsAsync(target.Name, ".press-restore"));
        Assert.Equal(other, await shell.ManifestAsync(target.Name));
        Assert.True(await shell.ExistsAsync(target.Name, "site_config.json"));
        await afterEachStep("discard");

        var discardedAgain = await runtime.DiscardRestoreFilesAsync(target, RestoreId, ct);
        Assert.StartsWith($".press-restore/{RestoreId} does not exist; nothing to discard", discardedAgain.Message);
    }

    /// <summary>
    /// A swap and an unswap cut off half-way (the first rename of one area done by hand, as a killed worker leaves
    /// it) are finished by running them again; a discard half-way is refused until then.
    /// </summary>
    public static async Task FinishInterruptedAsync(ISiteRuntime runtime, Site site, ISiteFolderShell shell)
    {
        const string id = "r-interrupted";
        var ct = CancellationToken.None;
        await shell.RunAsync(site.Name, SiteFileSets.CreateOther);
        using var sink = new MemoryStream();
        Assert.True((await runtime.ExportFilesAsync(site, sink, ct)).Applied);
        var backup = SiteFileSets.Sorted(SiteFileSets.ManifestOf(sink.ToArray()));
        await shell.RunAsync(site.Name, "printf 'added after the backup\\n' > \"$1/public/files/new.txt\"");
        var current = await shell.ManifestAsync(site.Name);
        Assert.NotEqual(backup, current);
        Assert.True((await runtime.StageFilesAsync(site, id, new MemoryStream(sink.ToArray()), ct)).Applied);

        await shell.RunAsync(site.Name, "cd \"$1\" && mkdir -p \"$2/previous/public\" && mv public/files \"$2/previous/public/files\"", $".press-restore/{id}");
        var swapped = await runtime.SwapFilesAsync(site, id, ct);
        Assert.Equal("public/files swapped (finished an interrupted swap); private/files swapped", swapped.Message);
        Assert.Equal(backup, await shell.ManifestAsync(site.Name));
        Assert.Equal(current, await shell.ManifestAsync(site.Name, $".press-restore/{id}/previous"));

        await shell.RunAsync(site.Name, "cd \"$1\" && mv private/files \"$2/staged/private/files\"", $".press-restore/{id}");
        var discard = await Assert.ThrowsAsync<StepFailedException>(() => runtime.DiscardRestoreFilesAsync(site, id, ct));
        Assert.Contains("half-way through a swap of private/files", discard.Message);
        Assert.True(await shell.ExistsAsync(site.Name, $".press-restore/{id}/previous/private/files"), "the refused discard deleted the kept files");

        var unswapped = await runtime.UnswapFilesAsync(site, id, ct);
        Assert.Equal("public/files unswapped; private/files unswapped (finished an interrupted unswap)", unswapped.Message);
        Assert.Equal(current, await shell.ManifestAsync(site.Name));
        Assert.Equal(backup, await shell.ManifestAsync(site.Name, $".press-restore/{id}/staged"));
        Assert.StartsWith($"deleted .press-restore/{id}", (await runtime.DiscardRestoreFilesAsync(site, id, ct)).Message);
        Assert.Equal(current, await shell.ManifestAsync(site.Name));
    }

    /// <summary>Every hostile archive is refused naming its entry; nothing is left staged and nothing lands anywhere.</summary>
    public static async Task RefuseHostileAsync(ISiteRuntime runtime, Site site, ISiteFolderShell shell)
    {
        var before = await shell.ManifestAsync(site.Name);
        var i = 0;
        foreach (var (what, entry, tar) in HostileTars.All())
        {
            var id = $"hostile-{++i}";
            var ex = await Assert.ThrowsAsync<StepFailedException>(() => runtime.StageFilesAsync(site, id, new ForwardOnlyStream(new MemoryStream(tar), write: false), CancellationToken.None));
            Assert.True(ex.Kind == FailureKind.Permanent, $"{what}: {ex.Kind} {ex.Message}");
            Assert.True(ex.Message.StartsWith($"the files archive is refused at entry '{entry}': ", StringComparison.Ordinal), $"{what}: {ex.Message}");
            Assert.False(await shell.ExistsAsync(site.Name, ".press-restore"), $"{what}: a half-staged restore folder was left");
            Assert.Equal(before, await shell.ManifestAsync(site.Name));
        }
        Assert.False(await shell.ExistsAsync(site.Name, "../evil"), "../evil was written next to the site folder");
        Assert.False(await shell.ExistsAsync(site.Name, "evil"), "evil was written into the site folder");

        var badId = await Assert.ThrowsAsync<StepFailedException>(() => runtime.SwapFilesAsync(site, "../up", CancellationToken.None));
        Assert.Equal("restore id '../up' is invalid: use 1–40 characters of a–z, 0–9 and '-'", badId.Message);
        var nothing = await Assert.ThrowsAsync<StepFailedException>(() => runtime.SwapFilesAsync(site, "never-staged", CancellationToken.None));
        Assert.Contains("has nothing staged for public/files", nothing.Message);
    }
}
