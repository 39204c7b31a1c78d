namespace Press.Core.Backups;

/// <summary>
/// Names a restore uses next to the live schema. The restore id is the first 12 hex digits of the job's id (version 7
/// ids: a timestamp, so unique among one site's restores); schema names stay well under PostgreSQL's 63 bytes
/// (<c>t_</c> + 20 + <c>_r</c> + 12).
/// </summary>
public static class RestoreNames
{
    public static string RestoreId(Guid jobId) => jobId.ToString("N")[..12];

    /// <summary>Where a restore puts the backup's data before the swap.</summary>
    public static string FreshSchema(string liveSchema, string restoreId) => $"{liveSchema}_r{restoreId}";

    /// <summary>Where the swap keeps the replaced live schema for the rollback window.</summary>
    public static string PreviousSchema(string liveSchema, string restoreId) => $"{liveSchema}_p{restoreId}";

    /// <summary>A verification's scratch schema, dropped when it ends.</summary>
    public static string ScratchSchema(string liveSchema, string restoreId) => $"{liveSchema}_v{restoreId}";
}
