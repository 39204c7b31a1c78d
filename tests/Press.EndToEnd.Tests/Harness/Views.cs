namespace Press.EndToEnd.Tests.Harness;

// The parts of the API's JSON these tests read (the API writes enums as strings).

public sealed record StepView(int Ordinal, string Name, string State, int Attempts, string? Output, string? Error,
    DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null);

public sealed record JobView(Guid Id, string Kind, string State, string Site, string? FailedStep, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, List<StepView> Steps)
{
    public bool IsTerminal => State is "Succeeded" or "Failed" or "Cancelled";

    public StepView Step(string name) => Steps.Single(s => s.Name == name);

    public string Describe() =>
        $"job {Id} {Kind} {Site} {State}" + (FailedStep is null ? "" : $" failed at {FailedStep}: {Error}") +
        " [" + string.Join(", ", Steps.OrderBy(s => s.Ordinal).Select(s => $"{s.Name}={s.State}/{s.Attempts}")) + "]";

    public override string ToString() => Describe();
}

public sealed record LocationView(string Database, string Schema);

public sealed record SiteView(string Name, string State, LocationView Location, DateTimeOffset? DeletedAt,
    DateTimeOffset? PurgeAfter, DateTimeOffset? PurgedAt, Guid? ActiveJobId)
{
    public override string ToString() => $"site {Name} {State} schema {Location.Schema} deletedAt {DeletedAt:O} purgeAfter {PurgeAfter:O}";
}

public sealed record ListView<T>(List<T> Items);
