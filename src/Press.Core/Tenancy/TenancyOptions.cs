namespace Press.Core.Tenancy;

/// <summary>Limits applied to every site role (docs/architecture.md §4, docs/frappe.md §1).</summary>
public sealed class TenancyOptions
{
    public string SitesDatabase { get; set; } = "press_sites";
    public int ConnectionLimit { get; set; } = 50;
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan IdleInTransactionSessionTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
