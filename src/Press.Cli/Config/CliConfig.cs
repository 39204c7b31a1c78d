namespace Press.Cli.Config;

/// <summary>What <c>press login</c> persists. Both fields are optional so a hand-edited file still loads.</summary>
public sealed record CliConfig(string? Url, string? Token);

/// <summary>The URL and token a command will actually use, after all overrides were applied.</summary>
public sealed record Connection(string Url, string Token);
