using Press.Core.Sites;

namespace Press.Core.Tests.Sites;

public sealed class AppNameRulesTests
{
    [Theory]
    [InlineData("erpnext")]
    [InlineData("frappe")]
    [InlineData("hrms")]
    [InlineData("india_compliance")]
    [InlineData("a")]
    [InlineData("x1")]
    [InlineData("payments_2")]
    [InlineData("a_b_c_")]
    public void Good_app_names_have_no_problems(string app) => Assert.Empty(AppNameRules.Validate([app]));

    [Fact]
    public void An_empty_list_and_a_typical_list_have_no_problems()
    {
        Assert.Empty(AppNameRules.Validate([]));
        Assert.Empty(AppNameRules.Validate(["frappe", "erpnext", "hrms", "payments"]));
    }

    [Fact]
    public void Names_of_64_characters_are_allowed_and_65_are_not()
    {
        Assert.Empty(AppNameRules.Validate(["a" + new string('b', 63)]));
        Assert.Single(AppNameRules.Validate(["a" + new string('b', 64)]));
    }

    [Theory]
    [InlineData("ERPNext")]
    [InlineData("Erpnext")]
    [InlineData("1app")]
    [InlineData("_private")]
    [InlineData("my-app")]
    [InlineData("my app")]
    [InlineData("")]
    [InlineData(" erpnext")]
    [InlineData("app.name")]
    [InlineData("érp")]
    [InlineData("erpnext;rm -rf /")]
    [InlineData("$(reboot)")]
    [InlineData("../../etc/passwd")]
    [InlineData("git+https://github.com/x/y")]
    [InlineData("erpnext\t")]
    public void Bad_app_names_are_refused_with_the_index_and_how_to_fix_it(string app)
    {
        var problem = Assert.Single(AppNameRules.Validate(["frappe", app]));

        Assert.StartsWith("apps[1] '", problem);
        Assert.EndsWith("is not an app name: use a lowercase Python package name such as 'erpnext'.", problem);
    }

    /// <summary>.NET's <c>$</c> also matches before a final newline; an app name must not carry one to bench.</summary>
    [Fact]
    public void An_app_name_with_a_trailing_newline_is_refused()
    {
        var problem = Assert.Single(AppNameRules.Validate(["erpnext\n"]));

        Assert.Contains("is not an app name", problem);
    }

    [Fact]
    public void Every_bad_name_is_reported_with_its_own_index()
    {
        var problems = AppNameRules.Validate(["Bad", "good", "also-bad"]);

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("apps[0] 'Bad'", problems[0]);
        Assert.StartsWith("apps[2] 'also-bad'", problems[1]);
    }

    [Fact]
    public void A_long_bad_name_is_shortened_in_the_message()
    {
        var problem = Assert.Single(AppNameRules.Validate([new string('X', 200)]));

        Assert.StartsWith($"apps[0] '{new string('X', 30)}…'", problem);
        Assert.DoesNotContain(new string('X', 31), problem);
    }

    [Fact]
    public void A_duplicate_is_reported_once_with_its_count()
    {
        var problems = AppNameRules.Validate(["erpnext", "hrms", "erpnext", "erpnext"]);

        Assert.Equal(["'erpnext' is listed 3 times: list each app once."], problems);
    }

    [Fact]
    public void Each_duplicated_app_is_reported()
    {
        var problems = AppNameRules.Validate(["a", "b", "a", "b", "c"]);

        Assert.Equal(["'a' is listed 2 times: list each app once.", "'b' is listed 2 times: list each app once."], problems);
    }

    [Fact]
    public void Duplicates_are_case_sensitive_because_uppercase_is_already_refused()
    {
        var problems = AppNameRules.Validate(["erpnext", "ERPNEXT"]);

        Assert.Single(problems);
        Assert.StartsWith("apps[1] 'ERPNEXT'", problems[0]);
    }

    [Fact]
    public void Fifty_apps_are_allowed()
    {
        Assert.Empty(AppNameRules.Validate(Apps(50)));
    }

    [Fact]
    public void More_than_fifty_apps_are_refused_with_the_count()
    {
        Assert.Equal(["51 apps given; at most 50 are allowed."], AppNameRules.Validate(Apps(51)));
        Assert.Equal(["200 apps given; at most 50 are allowed."], AppNameRules.Validate(Apps(200)));
    }

    [Fact]
    public void Shape_duplicate_and_count_problems_are_all_reported_together()
    {
        var apps = Apps(50).Append("Bad").Append("app_0").ToList();

        var problems = AppNameRules.Validate(apps);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("apps[50] 'Bad'"));
        Assert.Contains("'app_0' is listed 2 times: list each app once.", problems);
        Assert.Contains("52 apps given; at most 50 are allowed.", problems);
    }

    private static List<string> Apps(int count) => Enumerable.Range(0, count).Select(i => $"app_{i}").ToList();
}
