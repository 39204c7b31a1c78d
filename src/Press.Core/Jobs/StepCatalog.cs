namespace Press.Core.Jobs;

/// <summary>
/// The step implementations by name, checked against the recipes when the engine starts: a recipe step without an
/// implementation (or a name implemented twice) would otherwise surface only when a job reaches it, possibly after
/// the steps before it changed the site.
/// </summary>
public sealed class StepCatalog
{
    private readonly IReadOnlyDictionary<string, IJobStep> _steps;

    private StepCatalog(IReadOnlyDictionary<string, IJobStep> steps) => _steps = steps;

    public IReadOnlyDictionary<string, IJobStep> Steps => _steps;

    /// <summary>Every problem at once: steps a recipe (or its undo) names that nothing implements, names implemented twice.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<IJobStep> steps, IEnumerable<JobRecipe> recipes)
    {
        var byName = steps.GroupBy(s => s.Name).ToList();
        var problems = byName.Where(g => g.Count() > 1)
            .Select(g => $"step '{g.Key}' is implemented {g.Count()} times ({string.Join(", ", g.Select(s => s.GetType().Name))}): keep one")
            .ToList();
        var implemented = byName.Select(g => g.Key).ToHashSet();
        problems.AddRange(recipes
            .SelectMany(r => r.Steps.Concat(r.Undo).Select(step => (step, r.Kind)))
            .Where(x => !implemented.Contains(x.step))
            .GroupBy(x => x.step)
            .Select(g => $"step '{g.Key}' of {string.Join(", ", g.Select(x => x.Kind).Distinct())} has no implementation: " +
                         "add an IJobStep whose Name is that step (the worker registers every one in Press.Core)"));
        return problems;
    }

    /// <exception cref="InvalidOperationException">naming every problem <see cref="Problems"/> finds.</exception>
    public static StepCatalog Create(IEnumerable<IJobStep> steps, IEnumerable<JobRecipe> recipes)
    {
        var list = steps.ToList();
        var problems = Problems(list, recipes);
        if (problems.Count > 0)
            throw new InvalidOperationException("The job engine cannot start: " + string.Join("; ", problems) + ".");
        return new StepCatalog(list.ToDictionary(s => s.Name));
    }
}
