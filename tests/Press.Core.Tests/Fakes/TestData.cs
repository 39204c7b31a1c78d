using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tenancy;

namespace Press.Core.Tests.Fakes;

public static class TestData
{
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string SitePassword = "Sup3rSecretSitePasswordForTestsOnlyAbcd";

    public static Site Site(string name = "erp.example.com", SiteState state = SiteState.Active,
        DateTimeOffset? deletedAt = null, DateTimeOffset? purgeAfter = null)
    {
        var id = TenantIdentifier.NewId();
        return new Site(Guid.NewGuid(), name, state, new TenantLocation("press_sites", id), id,
            new FakeSecretProtector().Protect(SitePassword), ["erpnext"], Now.AddDays(-10), Now.AddDays(-1),
            deletedAt, purgeAfter, null);
    }

    /// <summary>A job as the store hands it out: the recipe's steps with 1-based ordinals, all Pending.</summary>
    public static Job Job(JobRecipe recipe, Site site) =>
        new(Guid.NewGuid(), recipe.Kind, JobState.Queued, site.Id, site.Name, "admin", Now, null, null, null, null,
            recipe.Steps.Select((n, i) => new JobStep(i + 1, n, StepState.Pending, 0, null, null, null, null)).ToList());

    /// <summary>The job with one step's state and attempt count replaced.</summary>
    public static Job WithStep(this Job job, string name, StepState state, int attempts = 0) =>
        job with
        {
            Steps = job.Steps.Select(s => s.Name == name ? s with { State = state, Attempts = attempts } : s).ToList(),
        };

    public static StepContext Context(Site site, JobRecipe? recipe = null, int attempt = 1)
    {
        var job = Job(recipe ?? Recipes.NewSite, site);
        return new(job, site, attempt, new JobLease(job.Id, "worker-1", Guid.NewGuid(), TimeSpan.FromSeconds(30)));
    }
}
