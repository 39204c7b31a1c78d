using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Press.Core.Jobs;
using Press.Infrastructure.Configuration;

namespace Press.Infrastructure.Tests.Configuration;

/// <summary><c>Press__Logging__Format=json</c>: the console writes one JSON object per line, carrying the job's scopes.</summary>
public sealed class PressLoggingTests
{
    private static ServiceProvider Logging(string? format)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PressLogging.FormatKey] = format }).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddConsole().AddPressLogging(config));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Json_lines_carry_the_job_the_site_and_the_step_from_the_runners_scopes()
    {
        using var sp = Logging("json");
        Assert.Equal(ConsoleFormatterNames.Json, sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        var formatter = sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);

        var job = new Job(Guid.NewGuid(), JobKind.BackupSite, JobState.Running, Guid.NewGuid(), "erp.example.com", "admin",
            DateTimeOffset.UnixEpoch, null, null, null, null, []);
        var scopes = new LoggerExternalScopeProvider();
        using var jobScope = scopes.Push(JobTelemetry.JobScope(job));
        using var stepScope = scopes.Push(JobTelemetry.StepScope("backup-database"));
        using var text = new StringWriter();
        formatter.Write(new LogEntry<string>(LogLevel.Information, "Press.Test", new EventId(1), "pg_dump started", null, (s, _) => s),
            scopes, text);

        var line = text.ToString().TrimEnd('\n');
        Assert.DoesNotContain('\n', line); // one object per line, for log shippers
        using var json = JsonDocument.Parse(line);
        Assert.Equal("pg_dump started", json.RootElement.GetProperty("Message").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", json.RootElement.GetProperty("Timestamp").GetString());
        var fields = json.RootElement.GetProperty("Scopes").EnumerateArray()
            .SelectMany(s => s.ValueKind == JsonValueKind.Object ? s.EnumerateObject().Select(p => (p.Name, p.Value.ToString())) : [])
            .Where(p => p.Name != "Message").ToDictionary(p => p.Name, p => p.Item2);
        Assert.Equal(job.Id.ToString(), fields["JobId"]);
        Assert.Equal("BackupSite", fields["JobKind"]);
        Assert.Equal("erp.example.com", fields["SiteName"]);
        Assert.Equal("backup-database", fields["Step"]);
    }

    [Fact]
    public void Without_the_setting_the_console_stays_simple()
    {
        using var sp = Logging(null);
        Assert.NotEqual(ConsoleFormatterNames.Json, sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void An_unknown_format_is_refused_at_start_saying_what_works()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Logging("xml"));
        Assert.Contains("use 'json' or 'simple'", ex.Message);
    }
}
