using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Human views of accounts and sessions.</summary>
public static class UserView
{
    public static void WriteList(TextWriter output, UserList list)
    {
        var table = new Table("NAME", "KIND", "ROLE", "BREAK-GLASS", "DISABLED", "LAST LOGIN", "ID");
        foreach (var u in list.Items)
            table.Add(u.DisplayName is { } d && u.Kind == "sso" ? $"{d} ({u.Name})" : u.Name, u.Kind, u.Role, u.BreakGlass ? "yes" : null,
                u.Disabled ? "yes" : null, u.LastLoginAt is { } at ? Formats.ShortTime(at) : "never", u.Id.ToString());
        table.Write(output);
    }

    /// <summary>The account, then its password alone on the last line (shown this once only).</summary>
    public static void WriteWithPassword(TextWriter output, UserWithPassword result)
    {
        new Details().Add("User", result.User.Name).Add("Role", result.User.Role).Add("Break-glass", result.User.BreakGlass ? "yes" : "no").Write(output);
        output.WriteLine();
        output.WriteLine("The password (shown only now; hand it over safely):");
        output.WriteLine(result.Password);
    }

    public static void WriteSessions(TextWriter output, SessionList list)
    {
        if (list.Items.Count == 0)
        {
            output.WriteLine("No live sessions.");
            return;
        }
        var table = new Table("ID", "USER", "ROLE", "LOGIN", "STARTED", "LAST SEEN", "EXPIRES", "FROM");
        foreach (var s in list.Items)
            table.Add(s.Id.ToString(), s.User, s.Role, s.Method, Formats.ShortTime(s.CreatedAt), Formats.ShortTime(s.LastSeenAt),
                Formats.ShortTime(s.ExpiresAt), s.SourceIp);
        table.Write(output);
    }
}
