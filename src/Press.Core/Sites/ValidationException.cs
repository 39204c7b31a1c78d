namespace Press.Core.Sites;

/// <summary>
/// The input breaks one or more rules; nothing was changed. Each field maps to every problem it has, each saying how
/// to fix it (the API answers 400 with them, the pages show them next to the fields).
/// </summary>
public sealed class ValidationException(IReadOnlyDictionary<string, List<string>> problems)
    : PressException($"{problems.Sum(p => p.Value.Count)} problem(s): " + string.Join(" ", problems.SelectMany(p => p.Value)))
{
    public IReadOnlyDictionary<string, List<string>> Problems { get; } = problems;

    /// <summary>Throws when <paramref name="problems"/> holds any problem.</summary>
    public static void ThrowIfAny(Dictionary<string, List<string>> problems)
    {
        if (problems.Values.Any(p => p.Count > 0))
            throw new ValidationException(problems.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key, p => p.Value));
    }
}

/// <summary>Collects problems per field.</summary>
public static class ProblemList
{
    public static void AddAll(this Dictionary<string, List<string>> problems, string field, IEnumerable<string> more)
    {
        var list = more.ToList();
        if (list.Count == 0) return;
        if (!problems.TryGetValue(field, out var existing)) problems[field] = existing = [];
        existing.AddRange(list);
    }
}
