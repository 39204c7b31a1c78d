namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// Two provisioned sites A and B. B owns table <c>t</c> (one row) in its schema; Press owns <c>public.probe</c> in the
/// sites database. C lives in a second site database (docs/architecture.md §16). Every isolation test acts as A (or C)
/// against these.
/// </summary>
public sealed class IsolationFixture : InfraFixture
{
    public TestSite A { get; private set; } = null!;
    public TestSite B { get; private set; } = null!;
    public TestSite C { get; private set; } = null!;

    /// <summary>The second site database, made by the create-site-database step, where C lives.</summary>
    public string SecondDatabase => Db.SitesDatabase + "_002";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        A = await ProvisionSiteAsync(NewSiteName("alpha"));
        B = await ProvisionSiteAsync(NewSiteName("bravo"));
        C = await ProvisionSiteAsync(NewSiteName("charlie"), SecondDatabase);
        await using (var c = await OpenAsSiteAsync(C))
            await c.ExecAsync("CREATE TABLE t (id int PRIMARY KEY, secret text NOT NULL); INSERT INTO t VALUES (1, 'charlie-secret')");

        // B's data, written by B itself with an unqualified name (its search_path).
        await using (var b = await OpenAsSiteAsync(B))
        {
            await b.ExecAsync("CREATE TABLE t (id int PRIMARY KEY, secret text NOT NULL)");
            await b.ExecAsync("INSERT INTO t VALUES (1, 'bravo-secret')");
        }

        // An object of Press's own in public of the sites database.
        await using (var press = ConnectAsPress(Db.SitesDatabase))
        {
            await press.OpenAsync();
            await press.ExecAsync("CREATE TABLE public.probe (id int); INSERT INTO public.probe VALUES (1)");
        }
    }

    /// <summary>Replaces {b}, {bRole}, {a}, {sites}, {meta} with quoted identifiers of this installation.</summary>
    public string Expand(string sql) => sql
        .Replace("{bRole}", Quote(B.Role), StringComparison.Ordinal)
        .Replace("{b}", Quote(B.Schema), StringComparison.Ordinal)
        .Replace("{a}", Quote(A.Schema), StringComparison.Ordinal)
        .Replace("{sites}", Quote(Db.SitesDatabase), StringComparison.Ordinal)
        .Replace("{meta}", Quote(Db.MetadataDatabase), StringComparison.Ordinal);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
