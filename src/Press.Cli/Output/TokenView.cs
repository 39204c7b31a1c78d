using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Human views of API tokens.</summary>
public static class TokenView
{
    public static void WriteList(TextWriter output, TokenList list)
    {
        if (list.Items.Count == 0)
        {
            output.WriteLine("No tokens.");
            return;
        }
        var table = new Table("ID", "NAME", "ROLE", "HINT", "EXPIRES", "LAST USED", "REVOKED", "PARENT");
        foreach (var t in list.Items)
            table.Add(t.Id.ToString(), t.Name, t.Role, t.Hint, Formats.ShortTime(t.ExpiresAt),
                t.LastUsedAt is { } used ? Formats.ShortTime(used) : "never", t.RevokedAt is { } r ? Formats.ShortTime(r) : null, t.ParentId?.ToString());
        table.Write(output);
    }

    /// <summary>The token's details, then the secret alone on the last line (shown this once only).</summary>
    public static void WriteMinted(TextWriter output, MintedToken token)
    {
        new Details()
            .Add("Token id", token.Id.ToString())
            .Add("Name", token.Name)
            .Add("Role", token.Role)
            .Add("Expires", Formats.Time(token.ExpiresAt))
            .Add("Minted from", token.ParentId?.ToString())
            .Write(output);
        output.WriteLine();
        output.WriteLine("The token (shown only now; store it, e.g. in a secret manager):");
        output.WriteLine(token.Token);
    }
}
