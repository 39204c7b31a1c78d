using System.Net;
using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// A built Press program (manager or worker) started with <c>dotnet &lt;dll&gt;</c> from its own bin folder, on a free port
/// of the suite's range, configured through <c>Press__…</c> environment variables of a <see cref="PressDatabase"/>.
/// </summary>
public sealed class PressProcess : IAsyncDisposable
{
    // Generous: on a loaded CI machine (four test classes on two cores) a worker has taken 25 s to listen and longer to be
    // ready; a process that exits is seen at once anyway.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    public ChildProcess Process { get; }
    public int Port { get; }
    public Uri BaseUrl { get; }
    public string Name => Process.Name;
    public LogBuffer Log => Process.Log;

    private PressProcess(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    /// <param name="port">A port the caller reserved (<see cref="Ports.Reserve"/>), when it must be known before the start
    /// (an OIDC client's redirect URI); else one is reserved here.</param>
    public static Task<PressProcess> StartManagerAsync(PressDatabase db, string name = "manager",
        IDictionary<string, string?>? overrides = null, string readyPath = ReadyPath, int? port = null) =>
        StartAsync(name, TestServices.BuiltProgram("Press.Manager"), db.Environment(overrides), readyPath, port);

    public static Task<PressProcess> StartWorkerAsync(PressDatabase db, string name,
        IDictionary<string, string?>? overrides = null, string readyPath = ReadyPath) =>
        StartAsync(name, TestServices.BuiltProgram("Press.Worker"), db.Environment(overrides), readyPath);

    /// <summary>What "started" waits for: <c>/readyz</c> 200; <c>/healthz</c> for a program that is meant to be not ready.</summary>
    public const string ReadyPath = "/readyz";
    public const string LivePath = "/healthz";

    /// <summary>Worker settings for crash tests: a 4 s lease (short, so a killed worker's job is taken over soon; not
    /// shorter, or a renewal stalled by a loaded CI machine loses it and the step runs a third time) and fast polls,
    /// optionally pausing after a step.</summary>
    public static Dictionary<string, string?> FastWorker(string? pauseAfterStep = null, TimeSpan? lease = null, string? failAfterStep = null) => new()
    {
        ["Press:Jobs:FailureTestFailAfterStep"] = failAfterStep,
        ["Press:Jobs:Lease"] = (lease ?? TimeSpan.FromSeconds(4)).ToString("c"),
        ["Press:Worker:IdlePollInterval"] = "00:00:00.500",
        ["Press:Worker:FallbackPollInterval"] = "00:00:00.500",
        ["Press:Jobs:CrashTestPauseAfterStep"] = pauseAfterStep,
    };

    /// <summary>
    /// Starts the program and waits until <paramref name="readyPath"/> (<c>/readyz</c>) answers 200 (retrying on another
    /// port if it was taken).
    /// </summary>
    public static async Task<PressProcess> StartAsync(string name, string dll, IReadOnlyDictionary<string, string> environment,
        string readyPath = ReadyPath, int? fixedPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = fixedPort ?? Ports.Reserve();
            var env = new Dictionary<string, string?>(environment.ToDictionary(p => p.Key, p => (string?)p.Value))
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_NOLOGO"] = "1",
                ["Logging__LogLevel__Default"] = "Information",
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
                ["Logging__Console__FormatterName"] = "simple",
                ["Logging__Console__FormatterOptions__SingleLine"] = "true",
                ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
                ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
                // The CLI reads these; keep the test runner's own settings (if any) away from the programs.
                ["PRESS_URL"] = null,
                ["PRESS_TOKEN"] = null,
            };
            var child = ChildProcess.Start($"{name}:{port}", ChildProcess.DotnetHost, [dll], env, Path.GetDirectoryName(dll));
            var press = new PressProcess(child, port);
            var ready = await press.WaitReadyAsync(readyPath);
            if (ready) return press;
            await press.Process.KillAsync();
            var description = child.Describe(120); // before disposal: a disposed Process has no exit code to show
            await press.DisposeAsync();
            var portTaken = child.Log.Find(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) is not null;
            if (!portTaken || attempt == 3 || fixedPort is not null)
                Assert.Fail($"{name} did not answer {readyPath} ({dll}).\n{description}");
        }
    }

    private async Task<bool> WaitReadyAsync(string readyPath)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited) return false;
            try
            {
                using var response = await Probe.GetAsync(new Uri(BaseUrl, readyPath));
                if (response.StatusCode == HttpStatusCode.OK) return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        return false;
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Probe.GetAsync(new Uri(BaseUrl, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public Task KillAsync() => Process.KillAsync();

    public string Describe(int lines = 60) => Process.Describe(lines);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Ports.Release(Port);
    }
}
