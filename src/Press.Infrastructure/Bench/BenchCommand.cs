namespace Press.Infrastructure.Bench;

/// <summary>
/// One bench invocation as data: the argv, and which positions hold secrets so that what is shown (step output,
/// logs) never contains them.
/// </summary>
public sealed record BenchCommand(IReadOnlyList<string> Argv, IReadOnlySet<int> SecretPositions)
{
    public BenchCommand(params string[] argv) : this(argv, new HashSet<int>()) { }

    /// <summary>The command line with secrets replaced by ***.</summary>
    public string Display => string.Join(' ', Argv.Select((a, i) => SecretPositions.Contains(i) ? "***" : Quote(a)));

    public override string ToString() => Display;

    public bool Equals(BenchCommand? other) =>
        other is not null && Argv.SequenceEqual(other.Argv) && SecretPositions.SetEquals(other.SecretPositions);

    public override int GetHashCode() => Argv.Aggregate(0, (h, a) => HashCode.Combine(h, a));

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
