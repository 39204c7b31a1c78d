namespace Press.Core.Runtime;

/// <summary>
/// Runner ports (docs/architecture.md §1: 48600–49699, one per site) and the Redis logical database that goes with each.
/// Frappe prefixes cache keys with db_name, which every site shares here (docs/frappe.md §1), so each site gets its own
/// Redis database: index = port − 48600 + 1 (database 0 stays Press's). Redis must run with
/// <c>--databases <see cref="RedisDatabasesNeeded"/></c>.
/// </summary>
public static class RunnerPorts
{
    public const int First = 48600;
    public const int Last = 49699;
    public const int RedisDatabasesNeeded = Last - First + 2;

    public static bool Contains(int port) => port is >= First and <= Last;

    public static int RedisDatabaseFor(int port) =>
        Contains(port) ? port - First + 1 : throw new ArgumentOutOfRangeException(nameof(port), port, $"runner ports are {First}–{Last}");
}
