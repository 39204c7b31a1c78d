using System.Collections.Concurrent;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Serve;

/// <summary>
/// A web worker's copy of each site's config, kept for a fixed time after it was read (frappe/config.py,
/// frappe/__init__.py cache site_config for 60 s): what Press writes to site_config.json while a worker runs — maintenance
/// mode too — reaches its requests up to that long later. A missing site is not cached.
/// </summary>
public sealed class ConfigCache(TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, (SiteConfig Config, long ReadAt)> _entries = new();

    public async Task<SiteConfig?> GetAsync(string sitePath)
    {
        var now = Environment.TickCount64;
        if (_entries.TryGetValue(sitePath, out var entry) && now - entry.ReadAt < ttl.TotalMilliseconds) return entry.Config;
        var config = await RequestHandler.LoadConfigAsync(sitePath);
        if (config is null) _entries.TryRemove(sitePath, out _);
        else _entries[sitePath] = (config, now);
        return config;
    }

    /// <summary>After the worker wrote the file itself (Frappe updates <c>frappe.local.conf</c> as it writes).</summary>
    public void Forget(string sitePath) => _entries.TryRemove(sitePath, out _);

    /// <summary>Every site's copy: gunicorn replaced its workers (HUP), and new workers start with an empty cache.</summary>
    public void ForgetAll() => _entries.Clear();
}
