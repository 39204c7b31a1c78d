using System.Text.RegularExpressions;
using Press.Testing;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// docker/prometheus and docker/alertmanager, checked by the tools of the field: <c>promtool check rules</c>,
/// <c>promtool test rules</c> (the unit tests beside the rules: every alert fires when it should and stays quiet when
/// it should not), <c>promtool check config</c> and <c>amtool check-config</c>. The live /metrics of manager and
/// worker go through <c>promtool check metrics</c> in the end-to-end MetricsEndpointTests.
/// </summary>
public sealed class AlertRulesTests
{
    private static readonly string Rules = DeploymentPaths.InDocker("prometheus/rules/press-alerts.yml");
    private static readonly string UnitTests = DeploymentPaths.InDocker("prometheus/tests/press-alerts.test.yml");

    /// <summary>What the issue asks an alert for (docs/architecture.md §13), each by its alert name.</summary>
    public static TheoryData<string> RequiredAlerts() =>
    [
        "PressBackupStale", "PressBackupFailed", "PressBackupVerificationFailed", "PressJobsFailing", "PressJobStuck",
        "PressRunnerDown", "PressWorkerDown", "PressObjectStoreUnreachable", "PressSsoDown", "PressDiskFilling",
    ];

    [Fact]
    public void The_rules_pass_promtool_check_rules()
    {
        var result = PrometheusTools.Promtool(null, "check", "rules", Rules);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", result.Output);
    }

    [Fact]
    public void Every_alert_passes_its_promtool_unit_tests()
    {
        var result = PrometheusTools.Promtool(null, "test", "rules", UnitTests);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output);
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void Each_required_alert_exists(string alert) => Assert.Contains(alert, AlertNames());

    /// <summary>A unit test where the alert fires and one where it stays quiet, for every alert in the rules.</summary>
    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_unit_test()
    {
        var cases = Regex.Matches(File.ReadAllText(UnitTests), @"alertname: (\w+)\s+exp_alerts:(\s*\[\])?")
            .Select(m => (Alert: m.Groups[1].Value, Quiet: m.Groups[2].Success)).ToList();
        foreach (var alert in AlertNames())
        {
            Assert.True(cases.Contains((alert, false)), $"{alert} has no unit test where it fires");
            Assert.True(cases.Contains((alert, true)), $"{alert} has no unit test where it stays quiet");
        }
    }

    /// <summary>A mutation check: the unit tests notice a rule whose threshold changed, so they test something.</summary>
    [Fact]
    public void The_unit_tests_fail_when_a_threshold_moves()
    {
        var dir = Directory.CreateTempSubdirectory("press-rules-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "rules"));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "tests"));
            File.WriteAllText(Path.Combine(dir.FullName, "rules", "press-alerts.yml"),
                File.ReadAllText(Rules).Replace("< 0.10", "< 0.01"));
            File.Copy(UnitTests, Path.Combine(dir.FullName, "tests", "press-alerts.test.yml"));
            var result = PrometheusTools.Promtool(null, "test", "rules", Path.Combine(dir.FullName, "tests", "press-alerts.test.yml"));
            Assert.True(result.ExitCode != 0, "promtool test rules passed with PressDiskFilling's threshold moved");
            Assert.Contains("alertname: PressDiskFilling", result.Output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>prometheus.yml as the container sees it: its rule glob and token file pointed at the checkout.</summary>
    [Fact]
    public void The_prometheus_configuration_passes_promtool_check_config()
    {
        var dir = Directory.CreateTempSubdirectory("press-prometheus-");
        try
        {
            var token = Path.Combine(dir.FullName, "prometheus_press_token");
            File.WriteAllText(token, "");
            var config = File.ReadAllText(DeploymentPaths.InDocker("prometheus/prometheus.yml"));
            Assert.Contains("/run/secrets/prometheus_press_token", config);
            Assert.Contains("/etc/prometheus/rules/*.yml", config);
            var path = Path.Combine(dir.FullName, "prometheus.yml");
            File.WriteAllText(path, config.Replace("/run/secrets/prometheus_press_token", token)
                .Replace("/etc/prometheus/rules/*.yml", Path.Combine(Path.GetDirectoryName(Rules)!, "*.yml")));
            var result = PrometheusTools.Promtool(null, "check", "config", path);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains($"SUCCESS: {AlertNames().Count} rules found", result.Output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_alertmanager_configuration_passes_amtool_check_config_with_a_webhook_receiver()
    {
        var path = DeploymentPaths.InDocker("alertmanager/alertmanager.yml");
        var result = PrometheusTools.Amtool("check-config", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output);
        Assert.Contains("webhook_configs:", File.ReadAllText(path));
    }

    /// <summary>Prometheus and Alertmanager listen on their architecture ports, on 127.0.0.1 only.</summary>
    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Prometheus_and_alertmanager_bind_loopback_on_their_ports(string file)
    {
        var compose = ComposeFile.Get(file);
        Assert.Contains("--web.listen-address=127.0.0.1:48520", compose["prometheus"].Node["command"]!.ToString());
        Assert.Contains("--web.listen-address=127.0.0.1:48521", compose["alertmanager"].Node["command"]!.ToString());
        Assert.Contains("--cluster.listen-address=", compose["alertmanager"].Node["command"]!.ToString());
        Assert.Contains("127.0.0.1:48521", File.ReadAllText(DeploymentPaths.InDocker("prometheus/prometheus.yml")));
    }

    private static List<string> AlertNames() =>
        Regex.Matches(File.ReadAllText(Rules), @"(?m)^\s+- alert: (\w+)$").Select(m => m.Groups[1].Value).ToList();
}
