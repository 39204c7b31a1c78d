using Press.Core.Sites;

namespace Press.Core.Tests.Sites;

public sealed class SiteNameRulesTests
{
    private static string Label(char c, int length) => new(c, length);

    /// <summary>Four labels joined by dots: 63 + 63 + 63 + <paramref name="last"/> + 3 dots.</summary>
    private static string LongName(int last) =>
        string.Join('.', Label('a', 63), Label('b', 63), Label('c', 63), Label('d', last));

    public static TheoryData<string> ValidNames() => new()
    {
        "a.b",
        "erp.example.com",
        "x",
        "site1.localhost",
        "xn--bcher-kva.example",
        "xn--80ak6aa92e.com",
        "a-b.c-d.example",
        "a--b.example.com",
        "1.example.com",
        "123abc",
        "erp2024.example.co.uk",
        "press.example.com",
        "admin.example.com",
        "localhost.example",
        Label('a', 63),
        Label('a', 63) + ".example.com",
        LongName(61),
    };

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Valid_host_names_have_no_problems(string name) => Assert.Empty(SiteNameRules.Validate(name));

    [Fact]
    public void The_longest_valid_name_is_exactly_253_characters()
    {
        Assert.Equal(253, LongName(61).Length);
        Assert.Empty(SiteNameRules.Validate(LongName(61)));
        Assert.Equal(["The name is 254 characters long; a host name has at most 253."], SiteNameRules.Validate(LongName(62)));
    }

    [Fact]
    public void A_63_character_label_is_valid_and_a_64_character_label_is_not()
    {
        Assert.Empty(SiteNameRules.Validate(Label('a', 63) + ".com"));
        var problem = Assert.Single(SiteNameRules.Validate(Label('a', 64) + ".com"));
        Assert.Equal($"The label '{Label('a', 20)}…' is 64 characters long; a label has at most 63.", problem);
    }

    /// <summary>Each bad name, and a fragment of the problem that must tell the user what to do about it.</summary>
    public static TheoryData<string, string> BadNames() => new()
    {
        // case
        { "Erp.example.com", "use lowercase ('erp.example.com')" },
        { "ERP", "use lowercase ('erp')" },
        { "erp.Example.COM", "use lowercase" },
        // characters outside a-z 0-9 - .
        { "erp_site.example.com", "an underscore '_': only lowercase letters a–z, digits, hyphens and dots are allowed" },
        { "_dmarc.example.com", "an underscore '_'" },
        { "a b", "a space: only lowercase letters" },
        { "erp site.example.com", "a space" },
        { "a';drop role x;--", "only lowercase letters a–z, digits, hyphens and dots are allowed" },
        { "a\";drop role x;--", "'\"'" },
        { "x'); DROP TABLE sites;--", "';'" },
        { "$(reboot)", "'$', '(', ')': only lowercase letters" },
        { "`id`", "'`': only lowercase letters" },
        { "a;rm -rf /", "';'" },
        { "a|b", "'|'" },
        { "a&b", "'&'" },
        { "a>b", "'>'" },
        { "a<b", "'<'" },
        { "erp.example.com/admin", "'/'" },
        { "erp.example.com:8080", "':'" },
        { "::1", "':'" },
        { "user@erp.example.com", "'@'" },
        { "*.example.com", "'*'" },
        { "erp%2eexample.com", "'%'" },
        { "a\\b", "'\\'" },
        { "erp,example.com", "','" },
        { "erp!.com", "'!'" },
        { "erp?.com", "'?'" },
        { "erp#.com", "'#'" },
        { "{erp}.com", "'{', '}'" },
        { "[erp].com", "'[', ']'" },
        { "erp~1.com", "'~'" },
        { "a+b.com", "'+'" },
        { "a=b.com", "'='" },
        { "'erp'", "'''" },
        // control characters
        { "a\u0000b", "a control character (U+0000)" },
        { "a\u0007b.com", "a control character (U+0007)" },
        { "a\u001bb.com", "a control character (U+001B)" },
        { "a\u007fb.com", "a control character (U+007F)" },
        { "erp\r\nx.com", "a control character (U+000D), a control character (U+000A)" },
        // whitespace around
        { " erp.example.com", "leading or trailing whitespace: remove it" },
        { "erp.example.com ", "leading or trailing whitespace: remove it" },
        { "\terp.example.com", "remove it" },
        { "erp.example.com\n", "remove it" },
        { "   ", "remove it" },
        // empty and dots
        { "", "give the site's host name, e.g. 'erp.example.com'" },
        { ".erp.example.com", "starts with a dot: every label between dots must be non-empty" },
        { "erp.example.com.", "ends with a dot: drop the trailing dot" },
        { ".", "drop the trailing dot" },
        { "erp..example.com", "empty label ('..'): every label between dots must be non-empty" },
        { "a...", "empty label ('..')" },
        // lengths
        { Label('a', 64) + ".com", "a label has at most 63" },
        { "erp." + Label('b', 100) + ".com", "is 100 characters long; a label has at most 63" },
        { LongName(62), "254 characters long; a host name has at most 253" },
        { string.Join('.', Enumerable.Repeat("abc", 100)), "399 characters long; a host name has at most 253" },
        // hyphens
        { "-erp.example.com", "starts or ends with a hyphen: labels must start and end with a letter or digit" },
        { "erp-.example.com", "labels must start and end with a letter or digit" },
        { "erp.-example.com", "labels must start and end with a letter or digit" },
        { "erp.example.com-", "labels must start and end with a letter or digit" },
        { "-", "labels must start and end with a letter or digit" },
        { "xn--", "labels must start and end with a letter or digit" },
        // numeric
        { "10.0.0.1", "is an IP address: sites need a host name, e.g. 'erp.example.com'" },
        { "192.168.1.254", "IP address" },
        { "127.0.0.1", "IP address" },
        { "erp.example.123", "last label is all digits: top-level labels must contain a letter" },
        { "site.42", "top-level labels must contain a letter" },
        // non-ASCII
        { "bücher.de", "non-ASCII characters: use the punycode form (xn--…)" },
        { "café.example.com", "punycode" },
        { "пример.рф", "punycode" },
        { "例え.jp", "punycode" },
        { "erp\u200b.example.com", "punycode" },
        { "erp\u00a0.example.com", "punycode" },
        // reserved
        { "press", "'press' is reserved for Press itself: choose another name" },
        { "localhost", "'localhost' is reserved for Press itself: choose another name" },
        { "admin", "'admin' is reserved" },
        { "localhost.localdomain", "is reserved" },
        { "api", "is reserved" },
        { "www", "is reserved" },
        { "postgres", "is reserved" },
        { "redis", "is reserved" },
        { "keycloak", "is reserved" },
        { "healthz", "is reserved" },
    };

    [Fact]
    public void The_bad_name_table_covers_at_least_60_names()
    {
        Assert.True(BadNames().Count >= 60, $"only {BadNames().Count} bad names");
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Bad_names_get_a_problem_that_says_how_to_fix_it(string name, string fix)
    {
        var problems = SiteNameRules.Validate(name);

        Assert.NotEmpty(problems);
        Assert.Contains(problems, p => p.Contains(fix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_name_is_required()
    {
        Assert.Equal(["'name' is required: give the site's host name, e.g. 'erp.example.com'."], SiteNameRules.Validate(null));
    }

    [Fact]
    public void An_empty_name_gets_exactly_one_problem()
    {
        Assert.Equal(["'name' is empty: give the site's host name, e.g. 'erp.example.com'."], SiteNameRules.Validate(""));
    }

    [Fact]
    public void An_IPv4_address_is_called_an_IP_address_not_a_numeric_label()
    {
        var problem = Assert.Single(SiteNameRules.Validate("10.0.0.1"));

        Assert.Equal("The name is an IP address: sites need a host name, e.g. 'erp.example.com'.", problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = SiteNameRules.Validate("Bad_Name..");

        Assert.True(problems.Count >= 3, string.Join(Environment.NewLine, problems));
        Assert.Contains(problems, p => p.Contains("uppercase"));
        Assert.Contains(problems, p => p.Contains("underscore"));
        Assert.Contains(problems, p => p.Contains("trailing dot"));
        Assert.Contains(problems, p => p.Contains("('..')"));
    }

    [Fact]
    public void Injection_attempts_get_every_offending_character_named_once()
    {
        var problems = SiteNameRules.Validate("a';drop role x;--");

        Assert.Equal(
        [
            "The name contains ''', ';', a space: only lowercase letters a–z, digits, hyphens and dots are allowed.",
            "The label 'a';drop role x;--' starts or ends with a hyphen: labels must start and end with a letter or digit.",
        ], problems);
    }

    [Fact]
    public void A_repeated_bad_label_is_reported_once()
    {
        var problems = SiteNameRules.Validate("-a.-a.com");

        Assert.Equal(["The label '-a' starts or ends with a hyphen: labels must start and end with a letter or digit."], problems);
    }

    [Theory]
    [InlineData("Press")]
    [InlineData("press.")]
    [InlineData(" admin")]
    public void A_reserved_word_with_other_problems_gets_those_problems_not_the_reserved_one(string name)
    {
        var problems = SiteNameRules.Validate(name);

        Assert.NotEmpty(problems);
        Assert.DoesNotContain(problems, p => p.Contains("reserved"));
    }

    [Fact]
    public void Every_reserved_name_is_refused()
    {
        Assert.All(SiteNameRules.Reserved, name =>
            Assert.Equal([$"'{name}' is reserved for Press itself: choose another name."], SiteNameRules.Validate(name)));
    }
}
