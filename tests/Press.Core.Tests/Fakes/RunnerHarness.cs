using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

/// <summary>A JobRunner over fakes for one site; steps default to succeeding with output "&lt;name&gt; ok".</summary>
public sealed class RunnerHarness
{
    public const string WorkerId = "worker-1";

    public FakeJobStore Jobs { get; } = new();
    public FakeJobSignals Signals { get; } = new();
    public FakeTimeProvider Time { get; } = new(TestData.Now);
    public JobRunnerOptions Options { get; } = new();
    public Site Site { get; }
    public FakeSiteStore Sites { get; }
    public Dictionary<string, IJobStep> Steps { get; } = [];

    public RunnerHarness(JobRecipe recipe)
    {
        Site = TestData.Site();
        Sites = new FakeSiteStore(Site);
        foreach (var name in recipe.Steps) Steps[name] = ScriptedStep.Returning(name, StepResult.Ok($"{name} ok"));
    }

    public ScriptedStep Step(string name) => (ScriptedStep)Steps[name];

    public void Set(IJobStep step) => Steps[step.Name] = step;

    /// <summary>How the runner classifies exceptions escaping a step, besides ADO.NET's own transient flag.</summary>
    public List<IFailureClassifier> Classifiers { get; } = [];

    public JobRunner Runner() =>
        new(Jobs, Sites, Steps.Values, Signals, Classifiers, Options, Time, NullLogger<JobRunner>.Instance);

    /// <summary>The claim runs use: a fixed token, this harness's lease length.</summary>
    public JobLease Lease(Job job) => new(job.Id, WorkerId, Token, Options.Lease);

    public static readonly Guid Token = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    public Task RunAsync(Job job, CancellationToken stopping = default, int abandonedClaims = 0) =>
        Runner().RunAsync(new ClaimedJob(job, Lease(job), abandonedClaims), stopping);

    /// <summary>Names of the steps the runner started (StepStartedAsync), in order.</summary>
    public IReadOnlyList<string> StartedSteps(Job job) =>
        Jobs.StepsStarted.Select(o => job.Steps.Single(s => s.Ordinal == o).Name).ToList();

    public static int Ordinal(Job job, string name) => job.Steps.Single(s => s.Name == name).Ordinal;
}
