using System.Net;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Every bad name and payload gets 400 with a useful message and leaves no row, role, schema, job or audit event.</summary>
public sealed class BadInputTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public void The_corpus_has_at_least_100_cases() => Assert.True(BadInputCorpus.Cases().Count() >= 100);

    [Theory]
    [MemberData(nameof(BadInputCorpus.Cases), MemberType = typeof(BadInputCorpus))]
    public async Task Refused_with_400_and_leaves_nothing_behind(string label, string contentType, string body, string expected)
    {
        var before = await Footprint();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        var response = await app.Admin.PostAsync("/api/sites", content);

        var problem = await response.Json(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var messages = problem.GetProperty("errors").EnumerateObject()
            .SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!)).ToList();
        Assert.NotEmpty(messages);
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.OrdinalIgnoreCase)),
            $"[{label}] no message mentions '{expected}': {string.Join(" | ", messages)}");
        Assert.All(messages, m => Assert.True(m.Length >= 20, $"[{label}] message too short to help: '{m}'"));
        Assert.Equal(before, await Footprint());
    }

    /// <summary>Everything a create could leave behind: rows, jobs, audit events, roles and schemas.</summary>
    private async Task<string> Footprint()
    {
        var db = app.Db;
        var meta = db.MetadataDatabase;
        return string.Join(",",
            await db.CountAsync("SELECT count(*) FROM sites", meta),
            await db.CountAsync("SELECT count(*) FROM jobs", meta),
            await db.CountAsync("SELECT count(*) FROM audit_events", meta),
            // Roles are cluster-wide and other suites run beside this one: count only roles this installation's
            // Press role created (PG16 records the creator's ADMIN membership).
            await db.CountAsync($"SELECT count(*) FROM pg_auth_members m JOIN pg_roles p ON p.oid = m.member WHERE p.rolname = '{db.PressRole}'"),
            await db.CountAsync("SELECT count(*) FROM pg_namespace"));
    }
}
