using System.CommandLine;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary>
/// <c>press token list|create|revoke</c>. A token made here is minted with the CLI's own token: it has that token's
/// role or a lower one, expires no later than it, and is revoked with it.
/// </summary>
public static class TokenCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var token = new Command("token", "List, create and revoke API tokens");
        token.Subcommands.Add(List(globals));
        token.Subcommands.Add(Create(globals));
        token.Subcommands.Add(Revoke(globals));
        return token;
    }

    private static Command List(GlobalOptions globals)
    {
        var command = new Command("list", "List API tokens with their last use (an admin sees all; others their own and those minted from it)");
        command.RunsWith(globals, async (ctx, _, ct) =>
        {
            var result = await ctx.Client.ListTokensAsync(ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else TokenView.WriteList(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Create(GlobalOptions globals)
    {
        var name = new Option<string>("--name") { Description = "What the token is for, e.g. ci", Required = true, HelpName = "NAME" };
        var role = new Option<string?>("--role") { Description = "admin, operator or viewer (default: the role of the token you call with)", HelpName = "ROLE" };
        role.AcceptOnlyFromAmong("admin", "operator", "viewer");
        var days = CommonOptions.PositiveInt("--expires-in-days", "Days until it expires (default: the longest allowed)");
        var command = new Command("create", "Mint a token under the one you call with; its secret is printed once") { name, role, days };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.CreateTokenAsync(parse.GetValue(name)!, parse.GetValue(role), parse.GetValue(days), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else TokenView.WriteMinted(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(GlobalOptions globals)
    {
        var id = new Argument<Guid>("id") { Description = "Token id (a UUID, as `press token list` shows)" };
        var command = new Command("revoke", "Revoke a token and every token minted from it, at once") { id };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.RevokeTokenAsync(parse.GetValue(id), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else ctx.Out.WriteLine(result.Value.Revoked == 0
                ? $"Token {result.Value.Id} was already revoked."
                : $"Revoked {result.Value.Revoked} token(s): {result.Value.Id} and those minted from it.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
