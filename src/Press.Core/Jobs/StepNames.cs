namespace Press.Core.Jobs;

/// <summary>Every step name, so recipes and step implementations cannot drift apart.</summary>
public static class StepNames
{
    public const string CreateRole = "create-role";
    public const string CreateSchema = "create-schema";
    public const string ConfigureRole = "configure-role";
    public const string VerifyLogin = "verify-login";
    public const string StartRuntime = "start-runtime";
    public const string StopRuntime = "stop-runtime";
    public const string DisableLogin = "disable-login";
    public const string EnableLogin = "enable-login";
    public const string TerminateConnections = "terminate-connections";
    public const string MarkDeleted = "mark-deleted";
    public const string CheckRetention = "check-retention";
    public const string ClearDeletion = "clear-deletion";
    public const string DropSchema = "drop-schema";
    public const string DropRole = "drop-role";
    public const string AllocateRunner = "allocate-runner";
    public const string WriteSiteConfig = "write-site-config";
    public const string InstallSite = "install-site";
    public const string WaitHealthy = "wait-healthy";
    public const string RemoveRunner = "remove-runner";
    public const string RemoveSiteFiles = "remove-site-files";
    public const string FlushSiteCache = "flush-site-cache";
}
