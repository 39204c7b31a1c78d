using System.Diagnostics;
using Docker.DotNet.Models;
using Press.Infrastructure.Runtime.Docker;
using Press.Testing;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>
/// docker exec against the test engine: a command that outlives its timeout must be gone from the container, not
/// merely abandoned by the client (the engine has no "kill exec" call; a timed-out bench command would go on writing).
/// A throwaway container from the Frappe test double's image, no network, no port.
/// </summary>
public sealed class DockerExecTests : IAsyncLifetime
{
    private readonly DockerEngine _docker = new(new DockerRuntimeOptions { Endpoint = TestServices.DockerHost });
    private readonly string _container = $"fcs-press-exectest-{Guid.NewGuid():N}"[..40];

    public async Task InitializeAsync()
    {
        await _docker.CreateAsync(new CreateContainerParameters
        {
            Name = _container,
            Image = TestServices.DoubleImage,
            Entrypoint = ["sleep", "infinity"],
            User = "frappe",
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, CancellationToken.None);
        await _docker.StartAsync(_container, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _docker.RemoveAsync(_container, CancellationToken.None);
        _docker.Dispose();
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_killed_inside_the_container_with_its_children()
    {
        // A parent with a child of its own, as bench's Python starts subprocesses: both must go.
        var clock = Stopwatch.StartNew();
        DockerEngine.ExecResult? result = null;
        Exception? thrown = null;
        try
        {
            result = await _docker.ExecAsync(_container, ["sh", "-c", "sleep 311 & sleep 312; wait"], "frappe", "/", TimeSpan.FromSeconds(2),
                CancellationToken.None);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        var left = await SleepersAsync();
        Assert.True(left.Count == 0, $"still running in {_container} after the exec timed out: [{string.Join(" | ", left)}]");
        Assert.True(result is not null, $"a timed-out exec must end as a result, not as {thrown}");
        Assert.Equal(124, result.ExitCode); // coreutils timeout's own code, as inside the container
        Assert.Contains("timed out after 2 s", result.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the exec took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_cancelled_exec_is_killed_inside_the_container_too()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _docker.ExecAsync(_container, ["sleep", "313"], "frappe", "/", TimeSpan.FromMinutes(5), cancel.Token));

        var left = await SleepersAsync();
        Assert.True(left.Count == 0, $"still running in {_container} after the exec was cancelled: [{string.Join(" | ", left)}]");
    }

    [Fact]
    public async Task A_command_within_its_timeout_returns_its_exit_code_and_output()
    {
        var result = await _docker.ExecAsync(_container, ["sh", "-c", "echo out; echo err >&2; exit 3"], "frappe", "/", TimeSpan.FromSeconds(30),
            CancellationToken.None);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("out", result.Output);
        Assert.Contains("err", result.Output);
    }

    /// <summary>The command lines of every process in the container that runs one of the tests' sleeps (no ps in the image).</summary>
    private async Task<List<string>> SleepersAsync()
    {
        var list = await _docker.ExecAsync(_container,
            ["sh", "-c", "for p in /proc/[0-9]*; do tr '\\0' ' ' < \"$p/cmdline\" 2>/dev/null; echo; done"], "frappe", "/",
            TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(list.ExitCode == 0, list.Output);
        return list.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("sleep 31", StringComparison.Ordinal)).ToList();
    }
}
