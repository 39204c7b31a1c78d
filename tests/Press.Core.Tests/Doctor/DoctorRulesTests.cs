using Press.Core.Doctor;

namespace Press.Core.Tests.Doctor;

/// <summary>Each check's rule as a pure function: what passes, what fails, and that every failure names its fix.</summary>
public sealed class DoctorRulesTests
{
    [Theory]
    [InlineData("48500-49799", true)]
    [InlineData("1000,48600-49699", true)]
    [InlineData("48600-49000,49001-49699", true)]
    [InlineData("48600-49698", false)]
    [InlineData("", false)]
    [InlineData("49000", false)]
    [InlineData("garbage,48500-49799", true)]
    public void Reserved_ports_must_cover_every_runner_port(string reserved, bool ok)
    {
        var check = DoctorRules.ReservedPorts(reserved + "\n");
        Assert.Equal(ok ? CheckOutcome.Ok : CheckOutcome.Failed, check.Outcome);
        if (!ok) Assert.Contains("sysctl -w net.ipv4.ip_local_reserved_ports=48500-49799", check.Fix);
    }

    [Fact]
    public void Unreadable_reserved_ports_fail_with_the_fix()
    {
        var check = DoctorRules.ReservedPorts(null);
        Assert.Equal(CheckOutcome.Failed, check.Outcome);
        Assert.Contains("cannot be read", check.Detail);
        Assert.Contains("1 of the runner ports 48600–49699", DoctorRules.ReservedPorts("48600-49698").Detail);
    }

    [Fact]
    public void Tools_fail_with_the_tool_checks_problem_and_the_folder_setting_as_fix()
    {
        Assert.Equal(CheckOutcome.Ok, DoctorRules.PostgresTools("17.6", "pg_dump (PostgreSQL) 17.6", null).Outcome);
        var bad = DoctorRules.PostgresTools("17.6", null, "pg_dump was not found in /nowhere");
        Assert.Equal(new DoctorCheck(DoctorChecks.PostgresTools, CheckOutcome.Failed, "pg_dump was not found in /nowhere",
            "install pg_dump, pg_restore and psql of the server's major version and set Press__Backups__ToolsFolder to their folder (on the manager and every worker)"), bad);
    }

    private static readonly DoctorRules.RoleFacts GoodRole = new("press", Superuser: false, CreateRole: true, SignalBackend: true,
        ReservedConnections: true, SetTempFileLimit: true, OwnsAuditTable: false, AuditInsertSelect: true, AuditChange: false);

    [Fact]
    public void Role_privileges_list_every_problem_and_send_to_bootstrap()
    {
        Assert.Equal(CheckOutcome.Ok, DoctorRules.RolePrivileges(GoodRole).Outcome);
        var bad = DoctorRules.RolePrivileges(GoodRole with { SignalBackend = false, OwnsAuditTable = true, AuditChange = true });
        Assert.Equal(CheckOutcome.Failed, bad.Outcome);
        Assert.Equal("it is not a member of pg_signal_backend (suspend cannot end a site's sessions); it owns audit_events (it could rewrite the audit log); it may UPDATE, DELETE or TRUNCATE audit_events", bad.Detail);
        Assert.Contains("press-manager bootstrap", bad.Fix);
        Assert.Contains("never a superuser", DoctorRules.RolePrivileges(GoodRole with { Superuser = true }).Fix);
    }

    [Fact]
    public void Redis_fails_when_down_or_when_its_database_index_does_not_exist()
    {
        Assert.Equal(CheckOutcome.Ok, DoctorRules.Redis("127.0.0.1:48511", null, 16, 0).Outcome);
        Assert.Equal(CheckOutcome.Ok, DoctorRules.Redis("127.0.0.1:48511", null, null, 3).Outcome);
        var down = DoctorRules.Redis("127.0.0.1:48511", "It was not possible to connect", null, 0);
        Assert.Equal(CheckOutcome.Failed, down.Outcome);
        Assert.Contains("start Redis", down.Fix);
        var index = DoctorRules.Redis("127.0.0.1:48511", null, 16, 16);
        Assert.Equal("Press uses database 16 but Redis has 16 (databases 16)", index.Detail);
    }

    [Fact]
    public void Disk_fails_under_a_tenth_free_and_skips_with_a_reason()
    {
        const long gib = 1024L * 1024 * 1024;
        Assert.Equal(CheckOutcome.Ok, DoctorRules.FreeDisk("backup-disk", "the backups", "/b", 10 * gib, 100 * gib).Outcome);
        var low = DoctorRules.FreeDisk("backup-disk", "the backups", "/b", 9 * gib, 100 * gib);
        Assert.Equal(CheckOutcome.Failed, low.Outcome);
        Assert.StartsWith("the backups (/b): 9.0 GiB free of 100.0 GiB", low.Detail);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.FreeDisk("backup-disk", "the backups", "/b", null, null).Outcome);
        Assert.Equal(new DoctorCheck("postgres-disk", CheckOutcome.Skipped, "elsewhere"), DoctorRules.FreeDisk("postgres-disk", "x", null, null, null, "elsewhere"));
    }

    [Fact]
    public void Clock_skew_allows_two_seconds_plus_half_the_round_trip()
    {
        var t = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(CheckOutcome.Ok, DoctorRules.ClockSkew(t, t.AddSeconds(1.9), t).Outcome);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.ClockSkew(t, t.AddSeconds(2.1), t).Outcome);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.ClockSkew(t, t.AddSeconds(-3), t).Outcome);
        // A slow round trip of 2 s: the server's clock read anywhere inside it is fine.
        Assert.Equal(CheckOutcome.Ok, DoctorRules.ClockSkew(t, t.AddSeconds(4), t.AddSeconds(2)).Outcome);
        Assert.Contains("chrony", DoctorRules.ClockSkew(t, t.AddMinutes(1), t).Fix);
    }

    [Fact]
    public void Jobs_name_failed_stuck_and_overdue_each_with_a_fix()
    {
        var none = new DoctorRules.JobFacts([], [], 0, TimeSpan.FromHours(6), TimeSpan.FromMinutes(2));
        Assert.Equal(CheckOutcome.Ok, DoctorRules.Jobs(none).Outcome);
        var id = Guid.Parse("0199a3b2-6f1c-7d2e-8f00-000000000001");
        var bad = DoctorRules.Jobs(none with { Failed = [id], Stuck = [id], Overdue = 3 });
        Assert.Equal($"1 job(s) failed in the last 24 h: {id}; 1 job(s) running for more than 6 h: {id}; 3 job(s) due for more than 2 minutes and not started", bad.Detail);
        Assert.Contains("press job retry ID", bad.Fix);
        Assert.Contains("press job watch ID", bad.Fix);
        Assert.Contains("start a worker", bad.Fix);
    }

    [Fact]
    public void Stale_backups_strays_image_traefik_and_oidc()
    {
        Assert.Equal(CheckOutcome.Ok, DoctorRules.StaleBackups([], 26).Outcome);
        Assert.Contains("a.example.com", DoctorRules.StaleBackups(["a.example.com"], 26).Detail);
        Assert.Equal(CheckOutcome.Skipped, DoctorRules.StrayRunners("none", null).Outcome);
        Assert.Equal(CheckOutcome.Ok, DoctorRules.StrayRunners("docker", []).Outcome);
        Assert.Contains("docker rm -f", DoctorRules.StrayRunners("docker", ["fcs-press-site-old"]).Fix);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.RunnerImage("docker", "frappe/erpnext:v16", false).Outcome);
        Assert.Equal(CheckOutcome.Skipped, DoctorRules.RunnerImage("process", null, null).Outcome);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.TraefikSecret("traefik", false).Outcome);
        Assert.Equal(CheckOutcome.Skipped, DoctorRules.TraefikSecret("embedded", false).Outcome);
        Assert.Equal(CheckOutcome.Ok, DoctorRules.TraefikSecret("embedded", true).Outcome);
        Assert.Equal(CheckOutcome.Skipped, DoctorRules.OidcIssuer(null, null).Outcome);
        Assert.Equal(CheckOutcome.Failed, DoctorRules.OidcIssuer("https://sso.example.com/realms/press", "no answer").Outcome);
    }
}
