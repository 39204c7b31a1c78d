using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Press.Manager.Pages;

/// <summary>Small pieces of markup the pages repeat: times, state badges, durations, field problems.</summary>
public static class Ui
{
    /// <summary>A time: UTC in the markup (and on hover); the script shows it in the browser's time zone.</summary>
    public static IHtmlContent Time(DateTimeOffset? at)
    {
        if (at is not { } t) return new HtmlString("—");
        var utc = t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return new HtmlString($"<time datetime=\"{t.UtcDateTime:O}\" title=\"{utc}\">{utc}</time>");
    }

    /// <summary>How long ago, for an age column (e.g. a backup's): "3 h", "2 d".</summary>
    public static string Age(DateTimeOffset? at, DateTimeOffset now) => at is not { } t ? "never" : (now - t) switch
    {
        var d when d < TimeSpan.FromMinutes(1) => "just now",
        var d when d < TimeSpan.FromHours(1) => $"{(int)d.TotalMinutes} min ago",
        var d when d < TimeSpan.FromDays(2) => $"{(int)d.TotalHours} h ago",
        var d => $"{(int)d.TotalDays} d ago",
    };

    /// <summary>"served", or "not served: why" (the runtime's reason without a repeated "not served").</summary>
    public static string Served(Api.RuntimeDto runtime) => runtime.Served ? "served"
        : "not served" + (runtime.Reason is { Length: > 0 } why ? ": " + why.Replace("not served: ", "", StringComparison.Ordinal) : "");

    public static string Duration(double? ms) => ms switch
    {
        null => "",
        < 1000 => $"{ms:0} ms",
        < 60000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.0} s"),
        _ => $"{(int)(ms / 60000)} min {(int)(ms % 60000 / 1000)} s",
    };

    public static IHtmlContent Badge(object state)
    {
        var text = state.ToString() ?? "";
        var css = text switch
        {
            "Succeeded" or "Active" or "Good" or "Healthy" or "true" => "s-good",
            "Failed" or "Broken" or "Unhealthy" => "s-bad",
            "Running" or "Queued" or "Waiting" or "Installing" => "s-busy",
            "Degraded" or "Suspended" or "Deleted" => "s-warn",
            _ => "s-idle",
        };
        return new HtmlString($"<span class=\"badge {css}\">{HtmlEncoder.Default.Encode(text)}</span>");
    }

    /// <summary>The problems of one field as a list tied to it (aria-describedby="{field}-error"), or nothing.</summary>
    public static IHtmlContent FieldErrors(Dictionary<string, List<string>> errors, string field)
    {
        if (!errors.TryGetValue(field, out var list) || list.Count == 0) return HtmlString.Empty;
        var items = string.Concat(list.Select(p => $"<li>{HtmlEncoder.Default.Encode(p)}</li>"));
        return new HtmlString($"<ul class=\"field-error\" id=\"{HtmlEncoder.Default.Encode(field)}-error\">{items}</ul>");
    }

    /// <summary>aria attributes for an input with problems.</summary>
    public static IHtmlContent Invalid(Dictionary<string, List<string>> errors, string field) =>
        errors.ContainsKey(field) ? new HtmlString($"aria-invalid=\"true\" aria-describedby=\"{HtmlEncoder.Default.Encode(field)}-error\"") : HtmlString.Empty;
}
