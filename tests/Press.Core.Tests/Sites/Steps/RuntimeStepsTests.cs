using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites.Steps;

public sealed class RuntimeStepsTests
{
    private static IJobStep Create(string kind, ISiteRuntime runtime) => kind switch
    {
        "start" => new StartRuntimeStep(runtime),
        "stop" => new StopRuntimeStep(runtime),
        "remove-runner" => new RemoveRunnerStep(runtime),
        "remove-files" => new RemoveSiteFilesStep(runtime),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("start", StepNames.StartRuntime)]
    [InlineData("stop", StepNames.StopRuntime)]
    [InlineData("remove-runner", StepNames.RemoveRunner)]
    [InlineData("remove-files", StepNames.RemoveSiteFiles)]
    public async Task An_applied_outcome_is_Done_with_the_drivers_message(string kind, string name)
    {
        var runtime = new FakeSiteRuntime(new RuntimeOutcome(true, "container press-erp is running"));
        var site = TestData.Site();
        var step = Create(kind, runtime);

        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(name, step.Name);
        Assert.Equal(new StepResult.Done("container press-erp is running"), result);
        Assert.Equal([$"{kind} {site.Name}"], runtime.Calls);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("remove-runner")]
    [InlineData("remove-files")]
    public async Task An_outcome_not_applied_is_Skipped_with_the_drivers_reason(string kind)
    {
        var runtime = new FakeSiteRuntime(new RuntimeOutcome(false, "no site runtime is configured"));
        var site = TestData.Site();

        var result = await Create(kind, runtime).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Skipped("no site runtime is configured"), result);
        Assert.Equal([$"{kind} {site.Name}"], runtime.Calls);
    }
}
