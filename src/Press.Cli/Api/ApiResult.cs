namespace Press.Cli.Api;

/// <summary>
/// A typed response plus the exact body it came from: <c>--json</c> prints <see cref="Raw"/>
/// so scripts see every field the server sent, including ones this CLI does not know.
/// </summary>
public sealed record ApiResult<T>(T Value, string Raw, int StatusCode);
