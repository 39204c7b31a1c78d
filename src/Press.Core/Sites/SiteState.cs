namespace Press.Core.Sites;

/// <summary>Lifecycle states of docs/architecture.md §5. The names are part of the API.</summary>
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
