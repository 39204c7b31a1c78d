using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// YAML → JSON with the scalar types a YAML 1.2 parser (compose's go-yaml v3, Traefik's) gives plain scalars, so
/// the JSON Schemas see <c>retries: 5</c> as a number and <c>"5"</c> as a string. Quoted scalars stay strings.
/// </summary>
internal static partial class YamlJson
{
    public static JToken Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        if (stream.Documents.Count != 1)
            throw new InvalidDataException($"{path}: expected one YAML document, found {stream.Documents.Count}");
        return Convert(stream.Documents[0].RootNode, path);
    }

    private static JToken Convert(YamlNode node, string where) => node switch
    {
        YamlMappingNode map => Mapping(map, where),
        YamlSequenceNode seq => new JArray(seq.Children.Select(c => Convert(c, where))),
        YamlScalarNode scalar => Scalar(scalar, where),
        _ => throw new InvalidDataException($"{where}: unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static JObject Mapping(YamlMappingNode map, string where)
    {
        var obj = new JObject();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value
                ?? throw new InvalidDataException($"{where}: non-scalar key at {keyNode.Start}");
            // Merge keys are YAML 1.1 only: compose v2 and v1 disagree on them, so the files use plain aliases.
            if (key == "<<") throw new InvalidDataException($"{where}: merge key '<<' at {keyNode.Start}; use a plain alias");
            if (obj.ContainsKey(key)) throw new InvalidDataException($"{where}: duplicate key '{key}' at {keyNode.Start}");
            obj[key] = Convert(valueNode, where);
        }
        return obj;
    }

    private static JToken Scalar(YamlScalarNode scalar, string where)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return new JValue(text);
        // YAML 1.1 (docker-compose 1.29's PyYAML) reads these as booleans, YAML 1.2 as strings: quote them.
        if (Yaml11Booleans.Contains(text))
            throw new InvalidDataException($"{where}: plain '{text}' at {scalar.Start} means a boolean to YAML 1.1 and a string to YAML 1.2; quote it");
        if (text is "" or "~" or "null" or "Null" or "NULL") return JValue.CreateNull();
        if (text is "true" or "True" or "TRUE") return new JValue(true);
        if (text is "false" or "False" or "FALSE") return new JValue(false);
        if (IntPattern().IsMatch(text)) return new JValue(long.Parse(text, CultureInfo.InvariantCulture));
        if (FloatPattern().IsMatch(text)) return new JValue(double.Parse(text, CultureInfo.InvariantCulture));
        return new JValue(text);
    }

    private static readonly HashSet<string> Yaml11Booleans =
        new(["yes", "no", "on", "off", "y", "n"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
