namespace Press.Core.Tenancy;

/// <summary>Where a site's data lives: a database of the cluster and a schema inside it (architecture §4).</summary>
public sealed record TenantLocation(string Database, string Schema);
