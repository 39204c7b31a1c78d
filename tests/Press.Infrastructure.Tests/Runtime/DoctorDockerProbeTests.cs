using Docker.DotNet.Models;
using Press.Core.Doctor;
using Press.Infrastructure.Doctor;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;
using Press.Infrastructure.Runtime.Docker;
using Press.Testing;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>
/// Doctor's Docker checks against the test engine: the runner image present or not, and a Press-labelled container no
/// site owns named as a stray. The engine is shared with other test runs, so the stray check is asserted to name this
/// test's container, not to find nothing else. The container is created, never started: no port, no process.
/// </summary>
public sealed class DoctorDockerProbeTests(InfraFixture f) : IClassFixture<InfraFixture>, IDisposable
{
    private readonly DockerEngine _docker = new(new DockerRuntimeOptions { Endpoint = TestServices.DockerHost });
    private static readonly RuntimeOptions Docker = new() { Driver = "docker" };

    public void Dispose() => _docker.Dispose();

    private RunnerImageProbe ImageProbe(string image) =>
        new(Docker, _docker, new RuntimeLimits(new SettingsStore(f.Sources, TimeProvider.System), new DockerRuntimeOptions { Image = image }));

    [Fact]
    public async Task The_runner_image_is_found_or_named_with_the_fix()
    {
        var present = await ImageProbe(TestServices.DoubleImage).RunAsync(CancellationToken.None);
        Assert.Equal(CheckOutcome.Ok, present.Outcome);

        var missing = await ImageProbe("fcs-press-no-such-image:doctor").RunAsync(CancellationToken.None);
        Assert.Equal(CheckOutcome.Failed, missing.Outcome);
        Assert.Equal("fcs-press-no-such-image:doctor is not on the Docker engine (Press never pulls images)", missing.Detail);
        Assert.Contains("docker pull fcs-press-no-such-image:doctor", missing.Fix);

        var none = await new RunnerImageProbe(new RuntimeOptions(), _docker, new RuntimeLimits(new SettingsStore(f.Sources, TimeProvider.System), new DockerRuntimeOptions()))
            .RunAsync(CancellationToken.None);
        Assert.Equal(CheckOutcome.Skipped, none.Outcome);
    }

    [Fact]
    public async Task A_Press_labelled_container_of_no_site_is_a_stray()
    {
        // Sorts before every runner name ("fcs-press-site-…"), so it is among the ten the detail lists whatever else is there.
        var name = $"fcs-press-0doctor-stray-{Guid.NewGuid():N}"[..40];
        await _docker.CreateAsync(new CreateContainerParameters
        {
            Name = name,
            Image = TestServices.DoubleImage,
            Entrypoint = ["true"],
            Labels = new Dictionary<string, string> { [RunnerContainer.ManagedLabel] = "true" },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, CancellationToken.None);
        try
        {
            var check = await new StrayRunnersProbe(Docker, _docker, new SiteQueries(f.Sources)).RunAsync(CancellationToken.None);
            Assert.Equal(CheckOutcome.Failed, check.Outcome);
            Assert.Contains(name, check.Detail);
            Assert.Contains("docker rm -f NAME", check.Fix);
        }
        finally
        {
            await _docker.RemoveAsync(name, CancellationToken.None);
        }
        Assert.Equal(CheckOutcome.Skipped,
            (await new StrayRunnersProbe(new RuntimeOptions(), _docker, new SiteQueries(f.Sources)).RunAsync(CancellationToken.None)).Outcome);
    }
}
