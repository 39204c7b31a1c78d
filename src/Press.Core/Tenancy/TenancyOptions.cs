namespace Press.Core.Tenancy;

/// <summary>Limits applied to every site role (docs/architecture.md §4, docs/frappe.md §1).</summary>
public sealed class TenancyOptions
{
    public string SitesDatabase { get; set; } = "press_sites";
    public int ConnectionLimit { get; set; } = 50;
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan IdleInTransactionSessionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>temp_file_limit</c> of every site role, in MB: how much disk one session's sorts and hashes may spill. Unlike
    /// the timeouts (plain defaults a tenant may SET for itself) this one binds: only a superuser, or a role granted SET
    /// on it, can change it.
    /// </summary>
    public int TempFileLimitMb { get; set; } = 10_240;
}
