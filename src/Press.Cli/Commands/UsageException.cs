namespace Press.Cli.Commands;

/// <summary>The invocation cannot work as given (no URL configured, malformed URL...). Maps to exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
