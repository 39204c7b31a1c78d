using Press.Core.Sites;

namespace Press.Core.Tests.Sites;

/// <summary>Internationalised labels must be real punycode; names a bench's sites/ folder holds are not site names.</summary>
public sealed class SiteNamePunycodeAndBenchTests
{
    [Theory]
    [InlineData("xn--zz-zz.example.com")] // the reviewed case: "zz-zz" is not a punycode encoding
    [InlineData("xn--abc.example.com")] // "abc" is no encoding of an internationalised label
    [InlineData("erp.xn--9999999999.com")] // decodes to a code point out of range
    [InlineData("xn--a.example.com")] // decodes to U+0080, a control character
    [InlineData("xn--abc-um5a.example.com")] // U+2603 (a snowman): a symbol, not allowed in IDNA2008
    public void An_xn_label_that_is_not_valid_punycode_is_refused(string name)
    {
        var problems = SiteNameRules.Validate(name);

        var problem = Assert.Single(problems);
        Assert.Contains("punycode", problem);
        Assert.Contains("xn--", problem);
    }

    [Theory]
    [InlineData("xn--.example.com")]
    [InlineData("xn--abc-.example.com")]
    public void An_xn_label_ending_in_a_hyphen_is_refused_as_any_such_label(string name) =>
        Assert.Contains(SiteNameRules.Validate(name), p => p.Contains("hyphen"));

    [Theory]
    [InlineData("xn--bcher-kva.example")] // bücher
    [InlineData("xn--80ak6aa92e.com")] // пример
    [InlineData("shop.xn--p1ai")] // .рф
    [InlineData("xn--mnchen-3ya.xn--p1ai")]
    public void Real_punycode_labels_are_accepted(string name) => Assert.Empty(SiteNameRules.Validate(name));

    [Theory]
    [InlineData("assets")]
    [InlineData("apps.txt")]
    [InlineData("apps.json")]
    [InlineData("currentsite.txt")]
    public void Names_a_bench_sites_folder_holds_are_refused_saying_why(string name)
    {
        var problem = Assert.Single(SiteNameRules.Validate(name));

        Assert.Contains("bench", problem);
        Assert.Contains("sites/", problem);
    }

    [Fact]
    public void The_bench_config_file_name_is_refused_as_a_bench_name_too()
    {
        var problems = SiteNameRules.Validate("common_site_config.json");

        Assert.Contains(problems, p => p.Contains("underscore"));
        Assert.Contains(problems, p => p.Contains("bench") && p.Contains("sites/"));
    }

    [Theory]
    [InlineData("assets.example.com")]
    [InlineData("apps.txt.example.com")]
    public void A_bench_name_as_one_part_of_a_longer_name_is_fine(string name) => Assert.Empty(SiteNameRules.Validate(name));
}
