using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Renders a non-2xx answer for humans: title, detail, every validation error, hints.</summary>
public static class ProblemPrinter
{
    private const int MaxRawBody = 500;

    public static void Print(TextWriter error, PressApiException ex)
    {
        var problem = ex.Problem;
        var title = FirstNonBlank(problem?.Title, ex.ReasonPhrase, "request failed");
        error.WriteLine($"error: {title} (HTTP {ex.Status})");
        if (!string.IsNullOrWhiteSpace(problem?.Detail))
            error.WriteLine($"  {Formats.Indent(problem.Detail, 2)}");

        foreach (var (field, messages) in problem?.Errors ?? [])
        {
            foreach (var message in messages)
                error.WriteLine(string.IsNullOrEmpty(field) ? $"  {message}" : $"  {field}: {message}");
        }

        if (problem?.JobId is { } jobId)
            error.WriteLine($"  job in progress on this site: {jobId} (follow it with: press job watch {jobId})");

        // Not problem JSON (a proxy's HTML page, a stack trace...): show the start of it.
        if (problem is null && !string.IsNullOrWhiteSpace(ex.Body))
        {
            var body = ex.Body.Trim();
            error.WriteLine($"  {Formats.Indent(body.Length > MaxRawBody ? body[..MaxRawBody] + "…" : body, 2)}");
        }

        if (ex.Status == 401)
            error.WriteLine("  hint: check the token (press login, PRESS_TOKEN or --token)");
    }

    private static string FirstNonBlank(params string?[] values) =>
        values.First(v => !string.IsNullOrWhiteSpace(v))!;
}
