using Docker.DotNet.Models;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>When a runner container counts as exited (wait-healthy then fails at once), judged from one inspect.</summary>
public sealed class RunnerExitReasonTests
{
    private const string Name = "fcs-press-site-erp.example.com";

    private static ContainerInspectResponse Inspect(string status, bool running, bool restarting = false, long exitCode = 0,
        long restarts = 0, bool oom = false, string error = "") => new()
    {
        RestartCount = restarts,
        State = new State { Status = status, Running = running, Restarting = restarting, ExitCode = exitCode, OOMKilled = oom, Error = error },
    };

    [Fact]
    public void A_running_runner_that_never_restarted_has_not_exited() =>
        Assert.Null(RunnerExit.Reason(Name, Inspect("running", running: true)));

    [Fact]
    public void Missing_exited_restarting_and_restarted_runners_say_why()
    {
        Assert.Equal($"container {Name} does not exist", RunnerExit.Reason(Name, null));
        Assert.Equal($"container {Name} is exited (exit code 1)", RunnerExit.Reason(Name, Inspect("exited", running: false, exitCode: 1)));
        Assert.Equal($"container {Name} is exited (exit code 137, killed for lack of memory)",
            RunnerExit.Reason(Name, Inspect("exited", running: false, exitCode: 137, oom: true)));
        Assert.Equal($"container {Name} keeps exiting (last exit code 1, restarted 3 times)",
            RunnerExit.Reason(Name, Inspect("restarting", running: true, restarting: true, exitCode: 1, restarts: 3)));
        Assert.Equal($"container {Name} exited and was restarted 2 times (last exit code 1)",
            RunnerExit.Reason(Name, Inspect("running", running: true, exitCode: 1, restarts: 2)));
        Assert.Equal($"container {Name} is created (exit code 0): port in use",
            RunnerExit.Reason(Name, Inspect("created", running: false, error: "port in use")));
    }
}
