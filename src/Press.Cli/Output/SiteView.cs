using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Human views of sites.</summary>
public static class SiteView
{
    public static void WriteList(TextWriter output, PagedResult<Site> page)
    {
        if (page.Items.Count == 0)
        {
            output.WriteLine(page.Total > 0 ? $"No sites on page {page.Page} ({page.Total} in total)." : "No sites.");
            return;
        }
        var table = new Table("NAME", "STATE", "SCHEMA", "SERVED", "CREATED");
        foreach (var site in page.Items)
        {
            table.Add(site.Name, site.State, site.Location?.Schema,
                Formats.YesNo(site.Runtime?.Served ?? false), Formats.ShortTime(site.CreatedAt));
        }
        table.Write(output);

        // Only mention paging when there is more than what we printed.
        if (page.Total > page.Items.Count && page.PageSize > 0)
        {
            var pages = (page.Total + page.PageSize - 1) / page.PageSize;
            var next = page.Page < pages ? $"; next: --page {page.Page + 1}" : "";
            output.WriteLine($"page {page.Page} of {pages} ({page.Total} sites{next})");
        }
    }

    public static void WriteDetails(TextWriter output, Site site)
    {
        var apps = site.Apps is { Count: > 0 } list ? string.Join(", ", list) : "-";
        new Details()
            .Add("Name", site.Name)
            .Add("State", site.State)
            .Add("Apps", apps)
            .Add("Versions", site.AppVersions is { Count: > 0 } versions ? string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}")) : "-")
            .Add("Image", site.Image is { } image ? (image.Id is { } imageId ? $"{image.Reference} ({imageId})" : image.Reference) : "- (the default, setting runtime.image)")
            .Add("Database", site.Location?.Database)
            .Add("Schema", site.Location?.Schema)
            .Add("Served", Served(site.Runtime))
            .Add("Created", Formats.Time(site.CreatedAt))
            .Add("Updated", site.UpdatedAt is null ? null : Formats.Time(site.UpdatedAt))
            .Add("Deleted", site.DeletedAt is null ? null : Formats.Time(site.DeletedAt))
            .Add("Purge after", site.PurgeAfter is null ? null : Formats.Time(site.PurgeAfter))
            .Add("Active job", site.ActiveJobId is { } id ? $"{id} (press job watch {id})" : null)
            .Write(output);
    }

    private static string Served(SiteRuntime? runtime)
    {
        if (runtime is null) return "-";
        var text = Formats.YesNo(runtime.Served);
        if (!string.IsNullOrWhiteSpace(runtime.Driver)) text += $" (driver: {runtime.Driver})";
        if (!string.IsNullOrWhiteSpace(runtime.Reason)) text += $" — {runtime.Reason}";
        return text;
    }
}
