using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench version</c>: one line <c>APP VERSION</c> per app of the bench, in apps.txt order (bench's
/// <c>bench/commands/utils.py</c> <c>version</c>, default "legacy" format). Bench-wide, not per site: which apps a site
/// has is the site's "tabInstalled Application".
/// </summary>
public static class VersionCommand
{
    public static int Run(BenchFolder bench)
    {
        foreach (var app in bench.AvailableApps()) Console.Out.WriteLine($"{app} {FrappeTables.AppVersion}");
        return 0;
    }
}
