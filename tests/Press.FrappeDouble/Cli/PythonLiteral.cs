using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench set-config -p</c> runs Python's <c>ast.literal_eval</c> on VALUE, not a JSON parser: JSON's
/// <c>true</c>/<c>false</c>/<c>null</c> are errors there and <c>True</c>, <c>'x'</c>, <c>(1, 2)</c> are fine. This is the
/// subset that can end up in site_config.json (numbers, strings, booleans, None, lists, tuples, dicts), so a Press
/// that passes JSON booleans fails here as it would against Frappe.
/// </summary>
public sealed class PythonLiteral
{
    private readonly string _s;
    private int _i;

    private PythonLiteral(string s) => _s = s;

    /// <summary>Set by <see cref="ParseExpression"/>: what <c>frappe.get_file_json(PATH)</c> evaluates to.</summary>
    private Func<string, JsonNode?>? _getFileJson;

    public static JsonNode? Parse(string text) => ParseExpression(text, null);

    /// <summary>
    /// <c>bench execute</c> evaluates <c>--args</c>/<c>--kwargs</c> with Python's <c>eval</c> (frappe/commands/utils.py),
    /// where <c>frappe</c> is imported. The double evaluates literals plus the one call Press uses,
    /// <c>frappe.get_file_json('PATH')</c> (frappe/__init__.py: <c>json.load</c> of the file); anything else fails.
    /// </summary>
    public static JsonNode? ParseExpression(string text, Func<string, JsonNode?>? getFileJson)
    {
        var p = new PythonLiteral(text) { _getFileJson = getFileJson };
        var value = p.Value();
        p.SkipSpace();
        return p._i == p._s.Length ? value : throw p.Malformed();
    }

    private BenchException Malformed() => new(
        $"ValueError: malformed node or string: {_s} (set-config -p evaluates a Python literal: True/False/None, not true/false/null)");

    private void SkipSpace()
    {
        while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++;
    }

    private JsonNode? Value()
    {
        SkipSpace();
        if (_i >= _s.Length) throw Malformed();
        var c = _s[_i];
        if (c is '[' or '(') return Sequence(c == '[' ? ']' : ')');
        if (c == '{') return Dict();
        if (c is '\'' or '"') return JsonValue.Create(Str());
        const string fileJson = "frappe.get_file_json(";
        if (_getFileJson is not null && string.CompareOrdinal(_s, _i, fileJson, 0, fileJson.Length) == 0)
        {
            _i += fileJson.Length;
            SkipSpace();
            if (_i >= _s.Length || _s[_i] is not ('\'' or '"')) throw Malformed();
            var path = Str();
            SkipSpace();
            if (_i >= _s.Length || _s[_i] != ')') throw Malformed();
            _i++;
            return _getFileJson(path);
        }
        if (c is '-' or '+' or '.' || char.IsAsciiDigit(c)) return Number();
        foreach (var (word, node) in new (string, JsonNode?)[] { ("True", JsonValue.Create(true)), ("False", JsonValue.Create(false)), ("None", null) })
            if (string.CompareOrdinal(_s, _i, word, 0, word.Length) == 0 && !IsNameChar(_i + word.Length))
            {
                _i += word.Length;
                return node;
            }
        throw Malformed();
    }

    private bool IsNameChar(int at) => at < _s.Length && (char.IsLetterOrDigit(_s[at]) || _s[at] == '_');

    private JsonArray Sequence(char close)
    {
        _i++;
        var items = new JsonArray();
        while (true)
        {
            SkipSpace();
            if (_i < _s.Length && _s[_i] == close) { _i++; return items; }
            items.Add(Value());
            SkipSpace();
            if (_i < _s.Length && _s[_i] == ',') { _i++; continue; }
            if (_i < _s.Length && _s[_i] == close) { _i++; return items; }
            throw Malformed();
        }
    }

    private JsonObject Dict()
    {
        _i++;
        var obj = new JsonObject();
        while (true)
        {
            SkipSpace();
            if (_i < _s.Length && _s[_i] == '}') { _i++; return obj; }
            // json.dumps turns int/float/bool/None keys into strings; the common case is a string key.
            var key = Value() switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
                JsonValue v => v.ToJsonString(),
                null => "null",
                _ => throw Malformed(), // lists and dicts are unhashable in Python
            };
            SkipSpace();
            if (_i >= _s.Length || _s[_i] != ':') throw Malformed();
            _i++;
            obj[key] = Value();
            SkipSpace();
            if (_i < _s.Length && _s[_i] == ',') { _i++; continue; }
            if (_i < _s.Length && _s[_i] == '}') { _i++; return obj; }
            throw Malformed();
        }
    }

    private string Str()
    {
        var quote = _s[_i++];
        var sb = new StringBuilder();
        while (_i < _s.Length && _s[_i] != quote)
        {
            var c = _s[_i++];
            if (c != '\\') { sb.Append(c); continue; }
            if (_i >= _s.Length) throw Malformed();
            var e = _s[_i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'x': sb.Append(Hex(2)); break;
                case 'u': sb.Append(Hex(4)); break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                default: sb.Append('\\').Append(e); break; // Python keeps unknown escapes verbatim
            }
        }
        if (_i >= _s.Length) throw Malformed();
        _i++;
        return sb.ToString();
    }

    private char Hex(int digits)
    {
        if (_i + digits > _s.Length || !int.TryParse(_s.AsSpan(_i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            throw Malformed();
        _i += digits;
        return (char)code;
    }

    private JsonValue Number()
    {
        var start = _i;
        if (_s[_i] is '-' or '+') _i++;
        while (_i < _s.Length && (char.IsAsciiDigit(_s[_i]) || _s[_i] is '.' or '_' or 'e' or 'E'
                                  || (_s[_i] is '-' or '+' && _s[_i - 1] is 'e' or 'E')))
            _i++;
        var text = _s[start.._i].Replace("_", "").TrimStart('+');
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (text.Length > 0 && text.Any(char.IsAsciiDigit)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return JsonValue.Create(d);
        throw Malformed();
    }
}
