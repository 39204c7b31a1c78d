namespace Press.Core.Identity;

/// <summary>Press roles (docs/architecture.md §7): admin ⊃ operator ⊃ viewer.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Viewer];

    private static int Rank(string role) => role switch { Admin => 3, Operator => 2, Viewer => 1, _ => 0 };

    public static bool Includes(string held, string required) => Rank(held) >= Rank(required) && Rank(required) > 0;
}
