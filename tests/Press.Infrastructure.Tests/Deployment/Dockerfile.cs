using System.Text;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>A Dockerfile as its instructions (comments dropped, continuation lines joined).</summary>
internal sealed record Dockerfile(IReadOnlyList<(string Keyword, string Args)> Instructions)
{
    public static Dockerfile Load(string relative)
    {
        var instructions = new List<(string, string)>();
        var current = new StringBuilder();
        foreach (var raw in File.ReadAllLines(DeploymentPaths.InDocker(relative)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0)) continue;
            var continues = line.EndsWith('\\');
            current.Append(continues ? line[..^1] : line).Append(' ');
            if (continues) continue;
            var text = current.ToString().Trim();
            current.Clear();
            if (text.Length == 0) continue;
            var parts = text.Split(' ', 2);
            instructions.Add((parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : ""));
        }
        return new Dockerfile(instructions);
    }

    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Args);

    public string Single(string keyword) => All(keyword).Single();

    public string Last(string keyword) => All(keyword).Last();
}
