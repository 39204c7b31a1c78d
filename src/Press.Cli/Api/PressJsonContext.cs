using System.Text.Json;
using System.Text.Json.Serialization;
using Press.Cli.Config;

namespace Press.Cli.Api;

// Source-generated so the CLI starts fast and stays trimming-friendly; Web defaults give
// camelCase names and case-insensitive reading, matching the server.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Site))]
[JsonSerializable(typeof(PagedResult<Site>))]
[JsonSerializable(typeof(CreateSiteRequest))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(JobStep))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(SiteLogs))]
[JsonSerializable(typeof(AdminPassword))]
[JsonSerializable(typeof(Backup))]
[JsonSerializable(typeof(BackupList))]
[JsonSerializable(typeof(BackupDownloadLink))]
[JsonSerializable(typeof(RestoreSiteRequest))]
[JsonSerializable(typeof(UpgradeSiteRequest))]
[JsonSerializable(typeof(MoveSiteRequest))]
[JsonSerializable(typeof(DownloadResult))]
[JsonSerializable(typeof(CliConfig))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(MintedToken))]
[JsonSerializable(typeof(TokenList))]
[JsonSerializable(typeof(TokenRevoked))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UserList))]
[JsonSerializable(typeof(UserWithPassword))]
[JsonSerializable(typeof(UserDisabled))]
[JsonSerializable(typeof(SessionList))]
[JsonSerializable(typeof(SessionEnded))]
[JsonSerializable(typeof(AuditVerify))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(SiteUsage))]
[JsonSerializable(typeof(SiteLimitsBody))]
[JsonSerializable(typeof(InstallAppRequest))]
[JsonSerializable(typeof(StandbyStatus))]
[JsonSerializable(typeof(StartRolloutRequest))]
[JsonSerializable(typeof(Rollout))]
[JsonSerializable(typeof(List<Rollout>))]
[JsonSerializable(typeof(RehearseSiteRequest))]
[JsonSerializable(typeof(Rehearsal))]
[JsonSerializable(typeof(List<Rehearsal>))]
public sealed partial class PressJsonContext : JsonSerializerContext;
