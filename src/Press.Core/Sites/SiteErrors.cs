namespace Press.Core.Sites;

/// <summary>Domain errors the API turns into ProblemDetails; adapters translate vendor errors into these.</summary>
public abstract class PressException(string message) : Exception(message);

public sealed class NotFoundException(string message) : PressException(message);

/// <summary>The request clashes with the current state: a running job, a taken name, a state that forbids it.</summary>
public sealed class ConflictException(string message, Guid? runningJobId = null) : PressException(message)
{
    public Guid? RunningJobId { get; } = runningJobId;
}

/// <summary>Errors about sites worded once, so the API, the pages, the CLI and the stores say the same thing.</summary>
public static class SiteErrors
{
    public static string NoSiteNamed(string name) => $"No site named '{name}'.";

    public static NotFoundException NotFound(string name) => new(NoSiteNamed(name));
}
