using System.Text.Json;
using System.Text.Json.Nodes;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench --site SITE execute METHOD [--args A] [--kwargs K]</c> (frappe/commands/utils.py <c>execute</c>): the
/// arguments are Python expressions (<c>eval</c>; an <c>--args</c> that is not one becomes <c>[args]</c>), the method
/// runs as Administrator, the transaction commits, and a truthy return value is printed as JSON. The double knows the
/// methods Press calls and nothing else: <c>frappe.db.exists</c>, and <c>frappe.client.insert</c> /
/// <c>frappe.client.set_value</c> for the one doctype Press writes, Social Login Key.
/// </summary>
public static class ExecuteCommand
{
    public static async Task<int> RunAsync(BenchFolder bench, SiteConfig config, IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, new HashSet<string> { "--profile" }, new HashSet<string> { "--args", "--kwargs" });
        if (a.Positionals is not [var method]) throw BenchException.Usage("execute takes exactly one METHOD.");
        JsonNode? FileJson(string path)
        {
            // frappe.get_file_json opens PATH from bench's working directory, the sites folder.
            var full = Path.GetFullPath(path, bench.SitesPath);
            if (!File.Exists(full)) throw new BenchException($"FileNotFoundError: [Errno 2] No such file or directory: '{path}'");
            return JsonNode.Parse(File.ReadAllText(full));
        }
        var positional = a.Value("--args") is { } rawArgs ? Eval(rawArgs, FileJson, nameErrorAsString: true) : new JsonArray();
        var named = a.Value("--kwargs") is { } rawKwargs ? Eval(rawKwargs, FileJson, nameErrorAsString: false) : new JsonObject();
        if (positional is not JsonArray list) throw new BenchException($"TypeError: {method}() argument after * must be an iterable");
        if (named is not JsonObject kwargs) throw new BenchException($"TypeError: {method}() argument after ** must be a mapping");

        await using var conn = await SiteDatabase.OpenAsync(config);
        var result = method switch
        {
            "frappe.db.exists" => await SocialLoginKeys.ExistsAsync(conn, Arg(list, kwargs, 0, "dt"), Arg(list, kwargs, 1, "dn")),
            "frappe.client.insert" => await SocialLoginKeys.InsertAsync(conn, Arg(list, kwargs, 0, "doc") as JsonObject
                ?? throw new BenchException("frappe.client.insert: 'doc' must be a dict")),
            "frappe.client.set_value" => await SocialLoginKeys.SetValueAsync(conn, Arg(list, kwargs, 0, "doctype"), Arg(list, kwargs, 1, "name"),
                Arg(list, kwargs, 2, "fieldname") as JsonObject ?? throw new BenchException("frappe.client.set_value: the double takes 'fieldname' as a dict of values only")),
            _ => throw BenchException.Usage($"execute {method}: not in the test double's subset (frappe.db.exists, frappe.client.insert, frappe.client.set_value)."),
        };
        if (result is not null) Console.Out.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return 0;
    }

    private static JsonNode? Eval(string text, Func<string, JsonNode?> fileJson, bool nameErrorAsString)
    {
        try { return PythonLiteral.ParseExpression(text, fileJson); }
        catch (BenchException) when (nameErrorAsString && !text.TrimStart().StartsWith('[') && !text.TrimStart().StartsWith('('))
        {
            return new JsonArray(text); // eval() failed with a NameError: bench passes the text as the one argument
        }
    }

    private static JsonNode? Arg(JsonArray args, JsonObject kwargs, int position, string name) =>
        kwargs.TryGetPropertyValue(name, out var value) ? value : position < args.Count ? args[position] : null;
}
