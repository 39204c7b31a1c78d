using System.Text.Json;

namespace Press.Manager.Tests;

/// <summary>
/// Bad site names and bad payloads for POST /api/sites. Each must be refused with 400 and a useful message, and leave
/// nothing behind. Built as data so the corpus is easy to extend.
/// </summary>
public static class BadInputCorpus
{
    /// <summary>(label, content type, raw body, a word the message must contain).</summary>
    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (label, name, expect) in BadNames())
            data.Add(label, "application/json", JsonSerializer.Serialize(new { name }), expect);
        foreach (var (label, body, expect) in BadPayloads())
            data.Add(label, "application/json", body, expect);
        data.Add("form-encoded body", "application/x-www-form-urlencoded", "name=ok.example.com", "Content-Type");
        data.Add("plain-text body", "text/plain", "ok.example.com", "Content-Type");
        return data;
    }

    private static IEnumerable<(string, string, string)> BadNames()
    {
        // SQL injection attempts
        yield return ("sql: quote and drop", "a';drop role press;--", "only lowercase");
        yield return ("sql: double-quote identifier break", "x\"; DROP SCHEMA public; --", "only lowercase");
        yield return ("sql: tautology", "1 OR 1=1", "only lowercase");
        yield return ("sql: quoted tautology", "site' OR '1'='1", "only lowercase");
        yield return ("sql: stacked sleep", "a;select pg_sleep(10)", "only lowercase");
        yield return ("sql: bobby tables", "robert'); DROP TABLE sites;--", "only lowercase");
        yield return ("sql: url-encoded", "%27%20OR%201%3D1", "only lowercase");
        yield return ("sql: backslash quote", "a\\'b.com", "only lowercase");
        yield return ("sql: comment", "a--b/*c*/.com", "only lowercase");
        yield return ("sql: dollar quoting", "$$drop$$.com", "only lowercase");
        yield return ("sql: semicolon", "a;b.com", "only lowercase");
        yield return ("sql: copy program", "x';copy t from program 'id';--", "only lowercase");
        // Shell injection attempts
        yield return ("shell: command substitution", "$(reboot)", "only lowercase");
        yield return ("shell: backticks", "`id`.com", "only lowercase");
        yield return ("shell: pipe", "a|ls", "only lowercase");
        yield return ("shell: and-and", "a&&rm -rf /", "only lowercase");
        yield return ("shell: redirect", "a>b.com", "only lowercase");
        yield return ("shell: tilde", "~root", "only lowercase");
        yield return ("shell: newline", "a\nb.com", "control character");
        yield return ("shell: IFS", "${IFS}x", "only lowercase");
        yield return ("shell: path traversal", "../../etc/passwd", "only lowercase");
        yield return ("shell: slash", "a/b.com", "only lowercase");
        yield return ("shell: glob", "*.example.com", "only lowercase");
        yield return ("shell: question glob", "a?.com", "only lowercase");
        yield return ("shell: null byte", "a\0b.com", "control character");
        yield return ("shell: bang", "a!b.com", "only lowercase");
        // Unicode
        yield return ("unicode: umlaut", "bücher.de", "punycode");
        yield return ("unicode: cyrillic", "пример.рф", "punycode");
        yield return ("unicode: cjk", "例子.测试", "punycode");
        yield return ("unicode: zero-width space", "a\u200bb.com", "punycode");
        yield return ("unicode: fullwidth letter", "ａ.com", "punycode");
        yield return ("unicode: emoji", "😀.com", "punycode");
        yield return ("unicode: rtl override", "\u202ecom.evil", "punycode");
        yield return ("unicode: sharp s", "straße.de", "punycode");
        yield return ("unicode: combining accent", "e\u0301.com", "punycode");
        yield return ("unicode: cyrillic a lookalike", "\u0430pple.com", "punycode");
        yield return ("unicode: non-breaking space", "a\u00a0b.com", "punycode");
        yield return ("unicode: dotless i", "\u0131.com", "punycode");
        // Uppercase
        yield return ("uppercase: first letter", "Example.com", "lowercase");
        yield return ("uppercase: all", "EXAMPLE.COM", "lowercase");
        yield return ("uppercase: middle", "eXample.org", "lowercase");
        yield return ("uppercase: tld", "example.COM", "lowercase");
        // Underscores
        yield return ("underscore: in label", "my_site.com", "underscore");
        yield return ("underscore: leading", "_dmarc.example.com", "underscore");
        yield return ("underscore: trailing", "a_.b", "underscore");
        yield return ("underscore: only", "_", "underscore");
        // Empty labels and dots
        yield return ("empty label: double dot", "a..b", "empty label");
        yield return ("empty label: leading dot", ".a.com", "starts with a dot");
        yield return ("empty label: lone dot", ".", "dot");
        yield return ("empty label: two dots", "..", "dot");
        yield return ("empty label: triple dot", "a...b", "empty label");
        // Trailing dots
        yield return ("trailing dot: fqdn", "example.com.", "trailing dot");
        yield return ("trailing dot: three labels", "a.b.c.", "trailing dot");
        yield return ("trailing dot: single label", "a.", "trailing dot");
        // IP addresses
        yield return ("ip: loopback", "127.0.0.1", "IP address");
        yield return ("ip: private 10", "10.0.0.1", "IP address");
        yield return ("ip: private 192", "192.168.1.1", "IP address");
        yield return ("ip: broadcast", "255.255.255.255", "IP address");
        yield return ("ip: any", "0.0.0.0", "IP address");
        yield return ("ip: public", "1.2.3.4", "IP address");
        yield return ("ip: v6 loopback", "::1", "only lowercase");
        yield return ("ip: v6 bracketed", "[::1]", "only lowercase");
        yield return ("ip: v6 link local", "fe80::1", "only lowercase");
        yield return ("ip: v6 documentation", "2001:db8::1", "only lowercase");
        yield return ("ip: short dotted", "1.2.3", "IP address");
        yield return ("ip: numeric tld", "example.123", "digits");
        // Over-long labels and names
        yield return ("long: label of 64", new string('a', 64) + ".com", "64 characters");
        yield return ("long: label of 100", new string('b', 100), "100 characters");
        yield return ("long: second label of 70", "a." + new string('c', 70) + ".com", "70 characters");
        yield return ("long: name of 254", string.Join('.', Enumerable.Repeat(new string('d', 50), 5)) + ".abc", "at most 253");
        yield return ("long: name of 300", string.Join('.', Enumerable.Repeat(new string('e', 59), 5)), "at most 253");
        yield return ("long: name of 1000", string.Join('.', Enumerable.Repeat(new string('f', 49), 20)), "at most 253");
        // Hyphens
        yield return ("hyphen: leading", "-a.com", "hyphen");
        yield return ("hyphen: trailing", "a-.com", "hyphen");
        yield return ("hyphen: leading in second label", "a.-b.com", "hyphen");
        yield return ("hyphen: only", "-", "hyphen");
        // Whitespace
        yield return ("whitespace: leading", " a.com", "whitespace");
        yield return ("whitespace: trailing", "a.com ", "whitespace");
        yield return ("whitespace: inside", "a .com", "a space");
        yield return ("whitespace: tab", "a\tb.com", "control character");
        yield return ("whitespace: only", "   ", "whitespace");
        // Reserved and empty
        yield return ("reserved: press", "press", "reserved");
        yield return ("reserved: localhost", "localhost", "reserved");
        yield return ("reserved: admin", "admin", "reserved");
        yield return ("reserved: api", "api", "reserved");
        yield return ("reserved: www", "www", "reserved");
        yield return ("empty: string", "", "empty");
        // Internationalised labels that are not punycode
        yield return ("punycode: not an encoding", "xn--zz-zz.example.com", "punycode");
        yield return ("punycode: nothing encoded", "xn--abc.example.com", "punycode");
        yield return ("punycode: a control character", "xn--a.example.com", "punycode");
        yield return ("punycode: out of range", "erp.xn--9999999999.com", "punycode");
        // What a bench's sites/ folder holds besides sites
        yield return ("bench: assets", "assets", "bench");
        yield return ("bench: apps.txt", "apps.txt", "bench");
        yield return ("bench: apps.json", "apps.json", "bench");
        yield return ("bench: currentsite.txt", "currentsite.txt", "bench");
    }

    private static IEnumerable<(string, string, string)> BadPayloads()
    {
        yield return ("json: name is a number", """{"name": 123}""", "must be a string");
        yield return ("json: name is true", """{"name": true}""", "must be a string");
        yield return ("json: name is an array", """{"name": ["a.com"]}""", "must be a string");
        yield return ("json: name is an object", """{"name": {"value": "a.com"}}""", "must be a string");
        yield return ("json: name is a float", """{"name": 1.5}""", "must be a string");
        yield return ("json: name is null", """{"name": null}""", "required");
        yield return ("json: name missing", """{}""", "required");
        yield return ("json: name in wrong case", """{"Name": "a.example.com"}""", "Unknown field");
        yield return ("json: unknown field", """{"name": "ok.example.com", "plan": "gold"}""", "Unknown field");
        yield return ("json: apps is a string", """{"name": "ok.example.com", "apps": "erpnext"}""", "array of strings");
        yield return ("json: apps is a number", """{"name": "ok.example.com", "apps": 5}""", "array of strings");
        yield return ("json: apps holds a number", """{"name": "ok.example.com", "apps": [1]}""", "must be a string");
        yield return ("json: apps holds null", """{"name": "ok.example.com", "apps": [null]}""", "must be a string");
        yield return ("json: apps is an object", """{"name": "ok.example.com", "apps": {"a": 1}}""", "array of strings");
        yield return ("json: app uppercase", """{"name": "ok.example.com", "apps": ["ERPNext"]}""", "not an app name");
        yield return ("json: app with space", """{"name": "ok.example.com", "apps": ["a b"]}""", "not an app name");
        yield return ("json: app injection", """{"name": "ok.example.com", "apps": ["erpnext; rm -rf /"]}""", "not an app name");
        yield return ("json: app listed twice", """{"name": "ok.example.com", "apps": ["erpnext", "erpnext"]}""", "listed 2 times");
        yield return ("json: body is an array", """[{"name": "ok.example.com"}]""", "JSON object");
        yield return ("json: body is a string", "\"ok.example.com\"", "JSON object");
        yield return ("json: body is a number", "42", "JSON object");
        yield return ("json: body is null", "null", "JSON object");
        yield return ("json: malformed", """{"name": """, "not valid JSON");
        yield return ("json: trailing garbage", """{"name": "ok.example.com"} x""", "not valid JSON");
        yield return ("json: empty body", "", "not valid JSON");
        yield return ("json: duplicate key", """{"name": "a.example.com", "name": "b.example.com"}""", "more than once");
        yield return ("json: duplicate key, other case kept apart", """{"apps": [], "name": "a.example.com", "apps": ["erpnext"]}""", "'apps'");
        yield return ("json: duplicate key in a nested object", """{"name": "ok.example.com", "apps": [{"a": 1, "a": 2}]}""", "more than once");
        yield return ("json: bad name and bad apps together", """{"name": "Bad_Name", "apps": "x"}""", "underscore");
    }
}
