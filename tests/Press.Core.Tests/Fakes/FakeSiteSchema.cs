using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteSchema : ISiteSchema
{
    /// <summary>What InspectInstallAsync answers, in order; once empty, a completed install of the site's apps.</summary>
    public Queue<SchemaInstall> Answers { get; } = new();

    /// <summary>"inspect SITE" and "empty SITE", in call order.</summary>
    public List<string> Calls { get; } = [];

    public static SchemaInstall Empty { get; } = new(0, null);

    public Task<SchemaInstall> InspectInstallAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"inspect {site.Name}");
        return Task.FromResult(Answers.Count > 0 ? Answers.Dequeue() : new SchemaInstall(8, ["frappe", .. site.Apps]));
    }

    public Task<string> EmptyAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"empty {site.Name}");
        return Task.FromResult($"emptied schema {site.Location.Schema} as the site (3 object(s) dropped)");
    }
}
