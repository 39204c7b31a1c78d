using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Images;

/// <summary>
/// One Press container (manager or worker) on the test engine: host networking, <c>ASPNETCORE_URLS</c> on a port of the
/// suite's range, and the given environment. Disposal removes it (<c>docker rm -f</c>) whatever happened.
/// </summary>
public sealed class PressContainer : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    public string Kind { get; }
    public string Image { get; }
    public string Name { get; }
    public int Port { get; }
    public Uri BaseUrl { get; }

    /// <summary>The <c>-e</c> variables given (besides <c>ASPNETCORE_URLS</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }
    private readonly IReadOnlyList<string> _runOptions;
    private bool _disposed;

    /// <summary>Removed already (by disposal): nothing left to show.</summary>
    public bool Removed => _disposed;
    private bool _runAttempted;

    /// <param name="kind"><c>manager</c> or <c>worker</c>: part of the container's name.</param>
    /// <param name="runOptions">More <c>docker run</c> options, e.g. a secret folder's mount.</param>
    public PressContainer(string kind, string image, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> runOptions)
    {
        Kind = kind;
        Image = image;
        Name = $"fcs-press-test-{kind}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";
        Port = Ports.Reserve();
        BaseUrl = new Uri($"http://127.0.0.1:{Port}");
        Environment = environment;
        _runOptions = runOptions;
    }

    /// <summary><c>docker run -d</c>; fails the test with the CLI's output when the engine refuses.</summary>
    public async Task StartAsync()
    {
        var args = new List<string> { "run", "-d", "--network", "host", "--name", Name, "-e", $"ASPNETCORE_URLS={BaseUrl.ToString().TrimEnd('/')}" };
        foreach (var (k, v) in Environment) args.AddRange(["-e", $"{k}={v}"]);
        args.AddRange(_runOptions);
        args.Add(Image);
        _runAttempted = true;
        var run = await DockerCli.RunAsync(args, TimeSpan.FromSeconds(60));
        Assert.True(run.Ok, $"{Kind}: docker run failed\n{run.Describe()}");
    }

    /// <summary>
    /// Waits for <c>/readyz</c> 200 and returns its JSON body; fails at once when the container stops, or after
    /// <paramref name="timeout"/>, with <paramref name="diagnostics"/> (every container's logs).
    /// </summary>
    public async Task<JsonElement> WaitReadyAsync(TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        var nextStateCheck = DateTime.UtcNow;
        var last = "nothing read";
        while (true)
        {
            try
            {
                using var response = await Probe.GetAsync(new Uri(BaseUrl, "/readyz"));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(body).RootElement.Clone();
                last = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }
            if (DateTime.UtcNow >= nextStateCheck)
            {
                nextStateCheck = DateTime.UtcNow + TimeSpan.FromSeconds(1);
                var state = await StateAsync();
                if (state != "running") Assert.Fail($"{Kind} container {Name} is {state}, not running; last /readyz: {last}\n{diagnostics()}");
            }
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"{Kind} container {Name} did not answer /readyz 200 within {timeout.TotalSeconds:0} s; last: {last}\n{diagnostics()}");
            await Task.Delay(200);
        }
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Probe.GetAsync(new Uri(BaseUrl, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary><c>docker exec</c> in the running container (as the image's user).</summary>
    public Task<DockerResult> ExecAsync(params string[] command) => DockerCli.RunAsync(["exec", Name, .. command], TimeSpan.FromSeconds(30));

    /// <summary><c>running</c>, <c>exited (code N)</c>, … or what <c>docker inspect</c> said.</summary>
    public async Task<string> StateAsync()
    {
        var inspect = await DockerCli.RunAsync("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", Name);
        if (!inspect.Ok) return "not inspectable: " + inspect.Stderr.Trim();
        var parts = inspect.Stdout.Trim().Split(' ');
        return parts[0] == "running" ? "running" : $"{parts[0]} (exit code {parts.ElementAtOrDefault(1)})";
    }

    /// <summary>The container's state and its last log lines (stdout and stderr), for failure messages.</summary>
    public string Describe(int lines = 150)
    {
        var state = DockerCli.Run("inspect", "--format", "{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}} error={{.State.Error}}", Name);
        var logs = DockerCli.Run("logs", "--tail", lines.ToString(), Name);
        return $"----- docker logs {Name} ({Image}, port {Port}, {(state.Ok ? state.Stdout.Trim() : "no state: " + state.Stderr.Trim())}) -----\n"
            + logs.Stdout.TrimEnd() + (logs.Stderr.Trim().Length > 0 ? "\n" + logs.Stderr.TrimEnd() : "");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_runAttempted) await DockerCli.RunAsync("rm", "-f", "-v", Name);
        Ports.Release(Port);
    }
}
