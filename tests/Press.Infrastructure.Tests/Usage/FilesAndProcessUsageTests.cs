using Press.Core.Usage;
using Press.Infrastructure.Runtime.Files;
using Press.Infrastructure.Runtime.Process;

namespace Press.Infrastructure.Tests.Usage;

/// <summary>Files size on a real folder and process usage from the real /proc (docs/architecture.md §15).</summary>
public sealed class FilesAndProcessUsageTests : IDisposable
{
    private readonly string _site = Directory.CreateTempSubdirectory("press-usage-").FullName;

    public void Dispose() => Directory.Delete(_site, recursive: true);

    private void Write(string relative, int bytes)
    {
        var path = Path.Combine(_site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
    }

    [Fact]
    public void Files_size_counts_public_and_private_files_nested_and_nothing_else_and_follows_no_link()
    {
        Write("public/files/a.png", 1000);
        Write("public/files/deep/er/b.pdf", 2345);
        Write("private/files/c.csv", 7);
        Write("site_config.json", 50_000); // not files
        Write("private/backups/old.sql.gz", 90_000); // not files
        var outside = Path.Combine(_site, "..", Path.GetFileName(_site) + "-outside");
        Directory.CreateDirectory(outside);
        File.WriteAllBytes(Path.Combine(outside, "huge.bin"), new byte[100_000]);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_site, "public/files/link-to-file"), Path.Combine(outside, "huge.bin"));
            Directory.CreateSymbolicLink(Path.Combine(_site, "private/files/link-to-folder"), outside);

            Assert.Equal(new FilesUsage(1000 + 2345 + 7, null), FolderSize.Measure(_site));
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public void A_site_without_files_folders_has_zero_and_a_missing_site_folder_says_so()
    {
        Assert.Equal(new FilesUsage(0, null), FolderSize.Measure(_site));
        var missing = Path.Combine(_site, "nope");
        Assert.Equal(FilesUsage.Unmeasured($"the site folder {missing} does not exist"), FolderSize.Measure(missing));
    }

    [Fact]
    public void Proc_stat_fields_are_read_after_a_command_name_holding_spaces_and_parentheses() =>
        Assert.Equal((4242, 150L + 50L, 1000L),
            ProcessTreeUsage.Parse("4243 (gunicorn: (worker) x) S 4242 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 1 0 100 1234567 1000 18446744073709551615"));

    [Fact]
    public async Task A_process_group_of_this_host_is_measured_from_proc_children_included()
    {
        // A real process group: a shell (its own group, as the process driver starts each role) with a busy child.
        using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("setsid",
            ["sh", "-c", "sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 30' & wait"]) { UseShellExecute = false })!;
        try
        {
            RunnerUsage usage;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            do
            {
                await Task.Delay(200);
                usage = ProcessTreeUsage.Measure(new HashSet<int> { shell.Id });
            } while ((usage.CpuSeconds ?? 0) < 0.05 && DateTime.UtcNow < deadline);

            Assert.Null(usage.Reason);
            Assert.True(usage.CpuSeconds >= 0.05, $"the busy child's CPU time is counted ({usage.CpuSeconds} s)");
            Assert.True(usage.MemoryBytes > 100_000, $"resident memory of the group ({usage.MemoryBytes} bytes)");
            Assert.Equal(RunnerUsage.Unmeasured("none of the site's processes is running"), ProcessTreeUsage.Measure(new HashSet<int>()));
        }
        finally
        {
            System.Diagnostics.Process.Start("kill", ["-KILL", "--", $"-{shell.Id}"])!.WaitForExit();
        }
    }
}
