using Press.Infrastructure.Runtime.Process;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// When a run loses its lease the runner cancels the step's token; what the step started must die with it, or it would
/// run on beside the next claim's run. Here: the process runtime's commands (bench).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // process ids under /proc
public sealed class StepCancellationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("press-cancel-").FullName;

    [Fact]
    public async Task A_cancelled_command_is_killed_with_its_children()
    {
        var pids = Path.Combine(_folder, "pids");
        // A command that starts a child of its own (as bench does), records both process ids, and runs for a minute.
        var script = $"sleep 60 & echo $! > {pids}.child; echo $$ > {pids}.parent; wait";
        using var cancel = new CancellationTokenSource();
        var run = CommandRunner.RunAsync(["/bin/sh", "-c", script], _folder, null, TimeSpan.FromMinutes(5), cancel.Token);
        var parent = await ReadPidAsync(pids + ".parent");
        var child = await ReadPidAsync(pids + ".child");
        Assert.True(Alive(parent) && Alive(child), "the command should be running");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        await WaitGoneAsync(parent);
        await WaitGoneAsync(child);
    }

    private static async Task<int> ReadPidAsync(string file)
    {
        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(file) && int.TryParse((await File.ReadAllTextAsync(file)).Trim(), out var pid)) return pid;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{file} was not written");
    }

    /// <summary>A process that exists and is not a zombie waiting to be reaped.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException) { return false; }
    }

    private static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; i < 200 && Alive(pid); i++) await Task.Delay(50);
        Assert.False(Alive(pid), $"process {pid} is still running after the step was cancelled");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
