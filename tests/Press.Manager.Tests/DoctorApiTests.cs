using System.Net;
using System.Text.Json;
using Press.Core.Doctor;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary><c>GET /api/doctor</c> against the test stack (real PostgreSQL 17 with 17's tools, Redis, a backup folder).</summary>
public sealed class DoctorApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    [Fact]
    public async Task A_healthy_stack_passes_every_check_that_applies_and_only_admins_may_ask()
    {
        var app = fixture.App;
        // Press's clock here is the tests' fake one, frozen since the fixture started: set it to now, or doctor rightly
        // reports it skewed against PostgreSQL's.
        app.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var report = await app.Admin.GetJsonAsync("/api/doctor");

        var checks = report.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(DoctorChecks.Order, checks.Select(c => c.GetProperty("name").GetString()));
        string Outcome(string name) => checks.Single(c => c.GetProperty("name").GetString() == name).GetProperty("outcome").GetString()!;
        var failed = checks.Where(c => c.GetProperty("outcome").GetString() == "Failed").Select(c => c.GetRawText()).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        Assert.True(report.GetProperty("healthy").GetBoolean());
        foreach (var name in new[] { DoctorChecks.PostgresTools, DoctorChecks.RolePrivileges, DoctorChecks.ReservedPorts, DoctorChecks.Redis,
                     DoctorChecks.ObjectStore, DoctorChecks.BackupDisk, DoctorChecks.ClockSkew, DoctorChecks.StaleBackups, DoctorChecks.Jobs })
            Assert.True(Outcome(name) == "Ok", $"{name}: {Outcome(name)}");
        // The runtime is 'none', the ingress embedded, no SSO: those checks say why they do not apply.
        foreach (var name in new[] { DoctorChecks.StrayRunners, DoctorChecks.RunnerImage, DoctorChecks.TraefikSecret, DoctorChecks.OidcIssuer })
            Assert.Equal("Skipped", Outcome(name));
        Assert.Empty(Directory.Exists(Path.Combine(app.Db.ObjectStoreFolder, "press-doctor"))
            ? Directory.GetFiles(Path.Combine(app.Db.ObjectStoreFolder, "press-doctor")) : []);

        var @operator = await app.ClientWithTokenAsync("operator");
        await (await @operator.GetAsync("/api/doctor")).Json(HttpStatusCode.Forbidden);
    }
}
