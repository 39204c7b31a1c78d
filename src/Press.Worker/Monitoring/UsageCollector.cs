using Press.Core.Ports;
using Press.Core.Usage;

namespace Press.Worker.Monitoring;

/// <summary>
/// Samples every live site's usage every <c>usage.sampleSeconds</c> (setting, read each pass) into <c>site_usage</c>
/// (docs/architecture.md §15), so the API, the CLI and /metrics read a row instead of asking Docker or the catalog.
/// A failed pass is logged and the next one tries again; the table keeps the previous sample meanwhile.
/// </summary>
public sealed partial class UsageCollector(UsageSampler sampler, ISettingsStore settings, TimeProvider time, ILogger<UsageCollector> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var samples = await sampler.SampleAsync(stopping);
                LogSampled(samples.Count);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            // Without the settings (the database is down), the default interval.
            var every = TimeSpan.FromSeconds(Press.Core.Settings.PressSettings.Defaults.UsageSampleSeconds);
            try { every = TimeSpan.FromSeconds((await settings.GetAsync(stopping)).UsageSampleSeconds); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { await Task.Delay(every, time, stopping); }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(LogLevel.Debug, "Usage: sampled {Count} site(s)")]
    private partial void LogSampled(int count);

    [LoggerMessage(LogLevel.Warning, "Usage: sampling failed (the previous sample stays): {Error}")]
    private partial void LogFailed(string error);
}
