namespace Press.Core.Sites;

/// <summary>Press's own host name (<c>Press:Ingress:PressHost</c>): the dashboard and API live there, so no site may take it.</summary>
public sealed record PressHost(string Name);

/// <summary>
/// The one rule for a host name a site answers to, its own name or a custom domain: a DNS host name
/// (<see cref="SiteNameRules"/>) that is not Press's own. Both refuse Press's host the same way (a validation problem
/// of the field), so a site and a domain get one answer.
/// </summary>
public static class HostNames
{
    /// <param name="noun">How the problem names the value: "name" for a site, "domain" for a custom domain.</param>
    public static IReadOnlyList<string> Problems(string hostName, string noun, PressHost press)
    {
        var problems = SiteNameRules.Validate(hostName)
            .Select(p => noun == "name" ? p : p.Replace("The name", $"The {noun}", StringComparison.Ordinal)).ToList();
        if (string.Equals(hostName, press.Name, StringComparison.OrdinalIgnoreCase))
            problems.Add($"'{hostName}' is Press's own host name (Press:Ingress:PressHost): choose another {noun}.");
        return problems;
    }
}
