namespace Press.Core.Runtime;

/// <summary>Runner ports (docs/architecture.md §1: 48600–49699, one per site).</summary>
public static class RunnerPorts
{
    public const int First = 48600;
    public const int Last = 49699;

    public static bool Contains(int port) => port is >= First and <= Last;
}
