namespace Press.Core.Tenancy;

/// <summary>Where a site's data lives: a database of the cluster and a schema inside it (docs/architecture.md §4).</summary>
public sealed record TenantLocation(string Database, string Schema);
