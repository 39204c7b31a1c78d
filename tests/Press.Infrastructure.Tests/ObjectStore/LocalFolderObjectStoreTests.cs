using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Infrastructure.ObjectStore;

namespace Press.Infrastructure.Tests.ObjectStore;

/// <summary>The contract on a local folder (the default store when no S3 is configured), plus its own rules.</summary>
public sealed class LocalFolderObjectStoreTests : ObjectStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "press-objects-" + Guid.NewGuid().ToString("N"));

    protected override IObjectStore CreateStore() => new LocalFolderObjectStore(new LocalFolderOptions { Folder = _root });

    private string TempFolder => Path.Combine(_root, ".tmp");

    protected override Task<bool> UploadInProgressAsync(string key) =>
        Task.FromResult(Directory.Exists(TempFolder) && new DirectoryInfo(TempFolder).EnumerateFiles().Any(f => f.Length >= 4 * MiB));

    protected override Task AssertNothingUnfinishedAsync(string prefix)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempFolder));
        return Task.CompletedTask;
    }

    [Fact]
    public void Describe_names_the_folder() => Assert.Equal($"folder {_root}", Store.Describe);

    [Fact]
    public async Task It_has_no_download_links_of_its_own()
    {
        await PutTextAsync("linked.txt", "x");
        Assert.Null(await Store.DownloadUrlAsync(Prefix + "linked.txt", TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task Objects_are_plain_files_under_the_folder_and_deleting_the_last_one_removes_empty_folders()
    {
        await PutTextAsync("deep/er/file.txt", "content");
        Assert.Equal("content", await File.ReadAllTextAsync(Path.Combine(_root, Prefix, "deep", "er", "file.txt")));

        await Store.DeleteAsync(Prefix + "deep/er/file.txt", CancellationToken.None);

        Assert.False(Directory.Exists(Path.Combine(_root, Prefix.TrimEnd('/'))));
        Assert.True(Directory.Exists(_root));
    }

    /// <summary>Backups hold every site's data: no other local user may read them or list their names.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are a Unix property
    public async Task Objects_are_written_0600_in_folders_it_creates_0700()
    {
        const UnixFileMode ownerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        await PutTextAsync("sites/a/backup.dump", "site data");
        await PutTextAsync("sites/a/backup.dump", "replaced"); // an overwrite gets the same mode
        await PutTextAsync("sites/b.dump", "second");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, Prefix, "sites", "a", "backup.dump")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, Prefix, "sites", "b.dump")));
        foreach (var folder in new[] { _root, TempFolder, Path.Combine(_root, Prefix), Path.Combine(_root, Prefix, "sites"), Path.Combine(_root, Prefix, "sites", "a") })
            Assert.True(File.GetUnixFileMode(folder) == ownerOnlyFolder, $"{folder} is {File.GetUnixFileMode(folder)}");
    }

    [Fact]
    public async Task Dot_files_in_the_folder_are_never_listed()
    {
        await PutTextAsync("visible.txt", "v");
        await File.WriteAllTextAsync(Path.Combine(_root, Prefix, ".stray"), "not an object");

        Assert.Equal([Prefix + "visible.txt"], await KeysAsync(Prefix));
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_a_permanent_error_naming_it()
    {
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "in the way");
        var store = new LocalFolderObjectStore(new LocalFolderOptions { Folder = Path.Combine(file, "backups") });

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => store.EnsureReadyAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Contains(Path.Combine(file, "backups"), ex.Message);
    }

    [Fact]
    public void A_relative_folder_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => new LocalFolderObjectStore(new LocalFolderOptions { Folder = "backups" }));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
