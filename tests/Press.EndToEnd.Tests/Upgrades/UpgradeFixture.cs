using System.Diagnostics;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Upgrades;

/// <summary>
/// One Docker-driven installation for the upgrade tests, with the Frappe test double's image as release 1 (the stack's
/// default, <c>PRESS_TEST_DOUBLE_IMAGE</c>) and release 2 built on top of it (newer app versions, a migrate patch; the
/// build argument of tests/docker/frappe-double/Dockerfile, set here as its environment variable so no SDK is needed).
/// </summary>
public class UpgradeFixture : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?>? _extra;
    private RuntimeStack? _stack;

    public UpgradeFixture() : this(null) { }

    /// <param name="extra">More settings for the stack's manager and worker.</param>
    protected UpgradeFixture(IReadOnlyDictionary<string, string?>? extra) => _extra = extra;

    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");

    public static string V1 => TestServices.DoubleImage;

    /// <summary>Release 2 of the double, tagged beside release 1 (never over it).</summary>
    public static string V2 => $"{TestServices.DoubleImage}-release2";

    public async Task InitializeAsync()
    {
        await BuildV2Async();
        _stack = await RuntimeStack.StartDockerAsync(extra: _extra);
    }

    private static async Task BuildV2Async()
    {
        var context = Directory.CreateTempSubdirectory("press-upgrade-image-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), $"FROM {V1}\nENV FRAPPE_TEST_DOUBLE_RELEASE=2\n");
            var psi = new ProcessStartInfo(TestEngine.Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-H", TestServices.DockerHost, "build", "-q", "-t", V2, context.FullName]) psi.ArgumentList.Add(a);
            psi.Environment["DOCKER_BUILDKIT"] = "0"; // the test engine has no buildx; the classic builder is enough for one ENV line
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            if (process.ExitCode != 0) throw new InvalidOperationException($"docker build of {V2} failed: {await stdout} {await stderr}");
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}
