using Press.Core.Sites;

namespace Press.Core.Tests.Sites;

/// <summary>The rules of installing and uninstalling an app (docs/architecture.md §19), as values.</summary>
public sealed class AppChangeRulesTests
{
    private static readonly string[] Bench = ["frappe", "erpnext", "hrms"];

    [Fact]
    public void An_app_of_the_bench_not_yet_installed_may_be_installed() =>
        Assert.Empty(AppChangeRules.InstallProblems("erpnext", [], Bench));

    [Theory]
    [InlineData(null, "'app' is required: the app's Python package name, such as 'erpnext'.")]
    [InlineData("frappe", "'frappe' is the framework every site runs on: it is never installed or uninstalled on its own.")]
    [InlineData("ERPNext", "'ERPNext' is not an app name: use a lowercase Python package name such as 'erpnext'.")]
    [InlineData("payments", "'payments' is not an app of this site's bench (it has erpnext, hrms): build the runner image with it first.")]
    public void Installing_refuses_with_how_to_fix_it(string? app, string problem) =>
        Assert.Equal([problem], AppChangeRules.InstallProblems(app, [], Bench));

    [Fact]
    public void An_installed_app_is_not_installed_again() =>
        Assert.Equal(["'erpnext' is already installed on this site: nothing to do."], AppChangeRules.InstallProblems("erpnext", ["erpnext"], Bench));

    [Fact]
    public void Without_a_bench_to_ask_only_the_site_record_is_checked() =>
        Assert.Empty(AppChangeRules.InstallProblems("payments", [], null));

    [Fact]
    public void An_installed_app_nobody_requires_may_be_uninstalled() =>
        Assert.Empty(AppChangeRules.UninstallProblems("erpnext", ["erpnext"]));

    [Fact]
    public void An_app_not_installed_cannot_be_uninstalled() =>
        Assert.Equal(["'hrms' is not installed on this site (installed: erpnext)."], AppChangeRules.UninstallProblems("hrms", ["erpnext"]));

    [Fact]
    public void An_app_another_installed_app_requires_is_refused_naming_it() =>
        Assert.Equal(["'erpnext' is required by hrms, installed on this site: uninstall hrms first."],
            AppChangeRules.UninstallProblems("erpnext", ["erpnext", "hrms"]));

    [Fact]
    public void Frappe_is_never_uninstalled() =>
        Assert.Equal(["'frappe' is the framework every site runs on: it is never installed or uninstalled on its own."],
            AppChangeRules.UninstallProblems("frappe", ["erpnext"]));
}
