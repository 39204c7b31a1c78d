namespace Press.FrappeDouble.Cli;

/// <summary>
/// Click-style parsing of one command's arguments: known flags, options with a value (<c>--opt v</c> or
/// <c>--opt=v</c>, repeatable), positionals. Anything else that looks like an option is a usage error, as in
/// click — the double must not silently accept flags that the real bench would reject or act on.
/// </summary>
public sealed class ParsedArgs
{
    private readonly HashSet<string> _flags = [];
    private readonly Dictionary<string, List<string>> _options = [];

    public List<string> Positionals { get; } = [];

    /// <param name="aliases">short or alternative spellings, e.g. <c>-p</c> → <c>--parse</c>.</param>
    public static ParsedArgs Parse(
        IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> options,
        IReadOnlyDictionary<string, string>? aliases = null)
    {
        var result = new ParsedArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                result.Positionals.Add(arg);
                continue;
            }
            var (name, inline) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (aliases is not null && aliases.TryGetValue(name, out var canonical)) name = canonical;
            if (flags.Contains(name) && inline is null)
            {
                result._flags.Add(name);
            }
            else if (options.Contains(name))
            {
                // Like click, the next token is the value even when it starts with '-'.
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw BenchException.Usage($"Option '{name}' requires an argument."));
                if (!result._options.TryGetValue(name, out var list)) result._options[name] = list = [];
                list.Add(value);
            }
            else
            {
                throw BenchException.Usage($"No such option: {name} (frappe-test-double implements only the bench subset Press uses; see its README)");
            }
        }
        return result;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string option) => _options.TryGetValue(option, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string option) => _options.TryGetValue(option, out var list) ? list : [];
}
