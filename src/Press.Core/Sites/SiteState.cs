namespace Press.Core.Sites;

/// <summary>Lifecycle states of architecture §5. The names are part of the API.</summary>
public enum SiteState
{
    Pending,
    Installing,
    Active,
    Suspended,
    Updating,
    Broken,
    Deleted,
    Purged,
}
