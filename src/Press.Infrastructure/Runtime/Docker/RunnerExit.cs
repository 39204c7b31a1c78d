using Docker.DotNet.Models;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// Whether a runner container has exited, judged from one inspect (pure, so tested as a value). With the restart
/// policy <c>unless-stopped</c> a runner that dies is restarted by the engine: while it waits to be restarted it is
/// <c>restarting</c>, and a restart count above zero means it died since Press last started it (a start by Press resets
/// the count).
/// </summary>
public static class RunnerExit
{
    /// <returns>Why the runner is gone, or null while it runs and has not restarted.</returns>
    public static string? Reason(string name, ContainerInspectResponse? inspect)
    {
        if (inspect is null) return $"container {name} does not exist";
        var state = inspect.State;
        if (state is null) return null;
        var killed = state.OOMKilled ? ", killed for lack of memory" : "";
        var error = string.IsNullOrEmpty(state.Error) ? "" : $": {state.Error}";
        if (state.Restarting)
            return $"container {name} keeps exiting (last exit code {state.ExitCode}{killed}, restarted {inspect.RestartCount} times){error}";
        if (!state.Running)
            return $"container {name} is {state.Status} (exit code {state.ExitCode}{killed}){error}";
        return inspect.RestartCount > 0
            ? $"container {name} exited and was restarted {inspect.RestartCount} times (last exit code {state.ExitCode}{killed})"
            : null;
    }
}
