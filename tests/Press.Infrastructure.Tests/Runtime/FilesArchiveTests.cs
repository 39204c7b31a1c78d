using System.Formats.Tar;
using Press.Core.Jobs;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>What a files archive may hold, restore ids, and the step messages' counts. Pure rules, no driver.</summary>
public sealed class FilesArchiveTests
{
    [Theory]
    [InlineData(TarEntryType.Directory, "public/files/", "public/files")]
    [InlineData(TarEntryType.Directory, "private/files/reports/2026/", "private/files/reports/2026")]
    [InlineData(TarEntryType.RegularFile, "public/files/logo.png", "public/files/logo.png")]
    [InlineData(TarEntryType.V7RegularFile, "private/files/a b/ünïcödé 日本.txt", "private/files/a b/ünïcödé 日本.txt")]
    [InlineData(TarEntryType.RegularFile, "public/files/..hidden", "public/files/..hidden")]
    public void Folders_and_regular_files_under_public_files_and_private_files_are_staged(TarEntryType type, string name, string expected) =>
        Assert.Equal(expected, FilesArchive.StagedPath(Entry(type, name)));

    // The old V7 format's own file type, as in archives from old tools.
    private static TarEntry Entry(TarEntryType type, string name) =>
        type == TarEntryType.V7RegularFile ? new V7TarEntry(type, name) : new PaxTarEntry(type, name);

    [Theory]
    [InlineData(TarEntryType.RegularFile, "../evil", "it has an empty, '.' or '..' path segment")]
    [InlineData(TarEntryType.RegularFile, "public/files/../../site_config.json", "it has an empty, '.' or '..' path segment")]
    [InlineData(TarEntryType.Directory, "public/files/./", "it has an empty, '.' or '..' path segment")]
    [InlineData(TarEntryType.RegularFile, "public/files//x", "it has an empty, '.' or '..' path segment")]
    [InlineData(TarEntryType.RegularFile, "/etc/passwd", "it is an absolute path")]
    [InlineData(TarEntryType.RegularFile, "site_config.json", "it is not under public/files/ or private/files/")]
    [InlineData(TarEntryType.Directory, "public/", "it is not under public/files/ or private/files/")]
    [InlineData(TarEntryType.RegularFile, "public/other/x", "it is not under public/files/ or private/files/")]
    [InlineData(TarEntryType.RegularFile, "./public/files/x", "it has an empty, '.' or '..' path segment")]
    [InlineData(TarEntryType.RegularFile, "public/files", "public/files and private/files must be folders")]
    [InlineData(TarEntryType.SymbolicLink, "public/files/link", "it is a SymbolicLink entry; only folders and regular files are restored")]
    [InlineData(TarEntryType.HardLink, "public/files/hard", "it is a HardLink entry; only folders and regular files are restored")]
    [InlineData(TarEntryType.CharacterDevice, "public/files/tty", "it is a CharacterDevice entry; only folders and regular files are restored")]
    [InlineData(TarEntryType.Fifo, "private/files/fifo", "it is a Fifo entry; only folders and regular files are restored")]
    public void Anything_else_is_refused_naming_the_entry(TarEntryType type, string name, string why)
    {
        var ex = Assert.Throws<StepFailedException>(() => FilesArchive.StagedPath(new PaxTarEntry(type, name)));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Equal($"the files archive is refused at entry '{name}': {why}. A files archive holds only folders and regular files under public/files/ and private/files/.", ex.Message);
    }

    [Theory]
    [InlineData("r1")]
    [InlineData("restore-0123456789abcdef")]
    [InlineData("0123456789012345678901234567890123456789")]
    public void Restore_ids_of_lower_case_letters_digits_and_dashes_pass(string id) => RestoreLayout.ValidateRestoreId(id);

    [Theory]
    [InlineData("")]
    [InlineData("R1")]
    [InlineData("../r1")]
    [InlineData("r.1")]
    [InlineData("r1\n")]
    [InlineData("r 1")]
    [InlineData("01234567890123456789012345678901234567890")]
    public void Other_restore_ids_are_refused(string id)
    {
        var ex = Assert.Throws<StepFailedException>(() => RestoreLayout.ValidateRestoreId(id));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Equal($"restore id '{id}' is invalid: use 1–40 characters of a–z, 0–9 and '-'", ex.Message);
    }

    [Fact]
    public void Modes_lose_set_id_and_sticky_bits_and_the_owner_keeps_access()
    {
        Assert.Equal((UnixFileMode)0b110_100_100, FilesArchive.SafeMode((UnixFileMode)0b100_110_100_100, folder: false)); // 04644 → 0644
        Assert.Equal((UnixFileMode)0b111_000_000, FilesArchive.SafeMode(UnixFileMode.None, folder: true));
        Assert.Equal((UnixFileMode)0b110_000_000, FilesArchive.SafeMode(UnixFileMode.None, folder: false));
    }

    [Fact]
    public void Counts_read_as_a_short_factual_line_naming_what_was_left_out()
    {
        var counts = new ArchiveCounts();
        counts.Folder();
        counts.Folder();
        counts.File(5 * 1024 * 1024);
        counts.File(0);
        Assert.Equal("2 files (5.0 MiB) in 2 folders", counts.Describe());

        counts.Skip("public/files/link", "symbolic link");
        Assert.Equal("2 files (5.0 MiB) in 2 folders; left out 1 entry that is neither file nor folder: public/files/link (symbolic link)", counts.Describe());

        var one = new ArchiveCounts();
        one.File(100);
        one.Folder();
        Assert.Equal("1 file (100 B) in 1 folder", one.Describe());
    }
}
