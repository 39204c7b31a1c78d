using System.Text;
using Docker.DotNet.Models;

namespace Press.Infrastructure.Runtime.Docker;

// docker exec. The engine has no call that stops an exec'd process: a client that gives up (timeout, cancellation, a
// worker that dies) leaves the command running in the container — a bench command would go on writing to the site
// while a retry starts another. So every exec is bounded twice: coreutils `timeout` inside the container ends it (and
// its process group) at the deadline even when no Press process is left to care; and every process it starts carries
// PRESS_EXEC_ID, so when Press gives up first it kills exactly that tree, whatever sessions or groups it made.
public sealed partial class DockerEngine
{
    /// <summary>coreutils <c>timeout</c>'s exit code for a command it ended; Press reports its own timeouts the same way.</summary>
    public const long TimedOutExitCode = 124;

    /// <summary>How long after the in-container deadline Press stops waiting and kills the command itself.</summary>
    private static readonly TimeSpan ClientGrace = TimeSpan.FromSeconds(20);

    public sealed record ExecResult(long ExitCode, string Output);

    /// <summary>The argv actually exec'd: argv under <c>timeout</c> (TERM at the deadline, KILL 10 s later).</summary>
    public static IReadOnlyList<string> BoundedArgv(IReadOnlyList<string> argv, TimeSpan timeout) =>
        ["timeout", "--kill-after=10s", $"{Math.Max(1, (long)Math.Ceiling(timeout.TotalSeconds))}s", .. argv];

    /// <summary>
    /// Kills every process of the container whose environment holds <c>PRESS_EXEC_ID=$1</c> (the id travels as an
    /// argument; this script's own environment does not carry it). Reading /proc/PID/environ needs the same user.
    /// </summary>
    public static IReadOnlyList<string> KillCommand(string execId) =>
    [
        "sh", "-c",
        "for p in /proc/[0-9]*; do if tr '\\0' '\\n' < \"$p/environ\" 2>/dev/null | grep -qx \"PRESS_EXEC_ID=$1\"; then kill -KILL \"${p#/proc/}\" 2>/dev/null; fi; done",
        "sh", execId,
    ];

    /// <summary>
    /// Runs argv inside the running container (no shell), returning the exit code and the output tail. A command that
    /// outlives <paramref name="timeout"/> is killed inside the container and returns <see cref="TimedOutExitCode"/>;
    /// a cancelled one is killed too. <paramref name="stdin"/>, when given, is written to the command's standard
    /// input, which is then closed (how secrets reach a command: never in argv, which /proc and Docker's events show).
    /// </summary>
    /// <param name="environment">Extra variables for the command (never secrets: Docker's inspect shows them).</param>
    public Task<ExecResult> ExecAsync(string container, IReadOnlyList<string> argv, string user, string workingDir, TimeSpan timeout,
        CancellationToken ct, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Guard($"exec in {container}", async () =>
        {
            var execId = Guid.NewGuid().ToString("N");
            var created = await _docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
            {
                Cmd = BoundedArgv(argv, timeout).ToList(),
                Env = [$"PRESS_EXEC_ID={execId}", .. (environment ?? new Dictionary<string, string>()).Select(e => $"{e.Key}={e.Value}")],
                AttachStdin = stdin is not null, AttachStdout = true, AttachStderr = true, User = user, WorkingDir = workingDir,
            }, ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout + ClientGrace);
            try
            {
                using var stream = await _docker.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), limit.Token);
                if (stdin is not null)
                {
                    var bytes = Encoding.UTF8.GetBytes(stdin);
                    await stream.WriteAsync(bytes, 0, bytes.Length, limit.Token);
                    stream.CloseWrite();
                }
                var (stdout, stderr) = await stream.ReadOutputToEndAsync(limit.Token);
                var inspect = await _docker.Exec.InspectContainerExecAsync(created.ID, ct);
                var exit = inspect.ExitCode ?? -1;
                return exit == TimedOutExitCode
                    ? new ExecResult(exit, TimedOut(timeout) + Tail(stdout + stderr))
                    : new ExecResult(exit, Tail(stdout + stderr));
            }
            catch (Exception ex) when (limit.IsCancellationRequested && ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                await KillAsync(container, execId, user);
                ct.ThrowIfCancellationRequested();
                return new ExecResult(TimedOutExitCode, TimedOut(timeout) + "(Press stopped waiting)");
            }
        });

    private static string TimedOut(TimeSpan timeout) => $"timed out after {timeout.TotalSeconds:0} s; killed inside the container. ";

    /// <summary>Best effort, never cancelled by the caller's token: the point is to run after it fired.</summary>
    private async Task KillAsync(string container, string execId, string user)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var kill = await _docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
            {
                Cmd = KillCommand(execId).ToList(), AttachStdout = true, AttachStderr = true, User = user,
            }, bound.Token);
            using var stream = await _docker.Exec.StartContainerExecAsync(kill.ID, new ContainerExecStartParameters(), bound.Token);
            await stream.ReadOutputToEndAsync(bound.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The in-container timeout still ends the command; the caller reports the timeout it saw.
        }
    }
}
