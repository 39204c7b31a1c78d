using Microsoft.AspNetCore.Diagnostics;
using Press.Core.Sites;

namespace Press.Manager.Api;

/// <summary>Domain errors become RFC 7807 ProblemDetails; anything unexpected is a 500 without internals.</summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        IResult result = exception switch
        {
            ValidationException e => Problems.Invalid(e.Problems.ToDictionary(p => p.Key, p => p.Value)),
            NotFoundException e => Results.Problem(statusCode: 404, title: "Not found", detail: e.Message),
            ConflictException e => Results.Problem(statusCode: 409, title: "Conflict", detail: e.Message,
                extensions: e.RunningJobId is { } id ? new Dictionary<string, object?> { ["jobId"] = id } : null),
            RequestTooLargeException e => Results.Problem(statusCode: 413, title: "The request body is too large", detail: e.Message),
            BadHttpRequestException e => Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message),
            _ => Unexpected(exception),
        };
        await result.ExecuteAsync(http);
        return true;
    }

    private IResult Unexpected(Exception exception)
    {
        LogUnexpected(exception);
        return Results.Problem(statusCode: 500, title: "Internal error",
            detail: "Press hit an unexpected error; the manager's log has the details.");
    }

    [LoggerMessage(LogLevel.Error, "Unhandled error in an API request")]
    private partial void LogUnexpected(Exception exception);
}

public static class Problems
{
    public static IResult Invalid(Dictionary<string, List<string>> problems) =>
        Results.ValidationProblem(problems.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            title: "The request is invalid",
            detail: $"{problems.Sum(p => p.Value.Count)} problem(s); each entry of 'errors' says how to fix it. Nothing was changed.");
}
