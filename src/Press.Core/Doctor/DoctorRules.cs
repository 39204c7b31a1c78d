using System.Globalization;
using Press.Core.Runtime;

namespace Press.Core.Doctor;

/// <summary>
/// How each check judges its facts (docs/architecture.md §14). Pure: the probes gather the facts, these say ✓ or ✗ and
/// how to fix it, and the tests pin every rule.
/// </summary>
public static class DoctorRules
{
    /// <param name="problem">The tool check's verdict (null: every tool has the server's major).</param>
    public static DoctorCheck PostgresTools(string? serverVersion, string? dumpVersion, string? problem) =>
        problem is null
            ? DoctorCheck.Pass(DoctorChecks.PostgresTools, $"server PostgreSQL {serverVersion}; pg_dump, pg_restore and psql match ({dumpVersion})")
            : DoctorCheck.Fail(DoctorChecks.PostgresTools, problem,
                "install pg_dump, pg_restore and psql of the server's major version and set Press__Backups__ToolsFolder to their folder (on the manager and every worker)");

    /// <summary>What Press's own database role may do (docs/architecture.md §4).</summary>
    public sealed record RoleFacts(string Role, bool Superuser, bool CreateRole, bool SignalBackend, bool ReservedConnections,
        bool SetTempFileLimit, bool OwnsAuditTable, bool AuditInsertSelect, bool AuditChange)
    {
        /// <summary>CREATEDB: Press creates the next site database when the others are full (docs/architecture.md §16).</summary>
        public bool CreateDb { get; init; } = true;
    }

    public static DoctorCheck RolePrivileges(RoleFacts f)
    {
        var problems = new List<string>();
        if (f.Superuser) problems.Add($"{f.Role} is a superuser (a tenant's code reached through any mistake would own the cluster)");
        if (!f.CreateRole) problems.Add("it lacks CREATEROLE (sites get no roles)");
        if (!f.CreateDb) problems.Add("it lacks CREATEDB (no site database can be added when the others are full)");
        if (!f.SignalBackend) problems.Add("it is not a member of pg_signal_backend (suspend cannot end a site's sessions)");
        if (!f.ReservedConnections) problems.Add("it is not a member of pg_use_reserved_connections");
        if (!f.SetTempFileLimit) problems.Add("it may not SET temp_file_limit (site roles get no cap)");
        if (f.OwnsAuditTable) problems.Add("it owns audit_events (it could rewrite the audit log)");
        if (!f.AuditInsertSelect) problems.Add("it lacks INSERT or SELECT on audit_events");
        if (f.AuditChange) problems.Add("it may UPDATE, DELETE or TRUNCATE audit_events");
        return problems.Count == 0
            ? DoctorCheck.Pass(DoctorChecks.RolePrivileges, $"{f.Role}: not superuser, CREATEROLE, CREATEDB, pg_signal_backend, pg_use_reserved_connections, SET temp_file_limit; only INSERT and SELECT on audit_events, owned by another role")
            : DoctorCheck.Fail(DoctorChecks.RolePrivileges, string.Join("; ", problems),
                f.Superuser ? $"run Press as a role made by `press-manager bootstrap`, never a superuser" : "run `press-manager bootstrap` again (with the superuser connection string): it re-applies every grant");
    }

    /// <param name="reserved">The content of <c>/proc/sys/net/ipv4/ip_local_reserved_ports</c>; null when unreadable.</param>
    public static DoctorCheck ReservedPorts(string? reserved)
    {
        var (first, last) = (RunnerPorts.First, RunnerPorts.Last);
        const string fix = "sysctl -w net.ipv4.ip_local_reserved_ports=48500-49799 as root, and persist it in /etc/sysctl.d/ (keep ranges already listed)";
        if (reserved is null)
            return DoctorCheck.Fail(DoctorChecks.ReservedPorts, "net.ipv4.ip_local_reserved_ports cannot be read on this host", fix);
        var covered = new bool[last - first + 1];
        foreach (var part in reserved.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-');
            if (!int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var lo)) continue;
            var hi = bounds.Length > 1 && int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var h) ? h : lo;
            for (var p = Math.Max(lo, first); p <= Math.Min(hi, last); p++) covered[p - first] = true;
        }
        var missing = covered.Count(c => !c);
        return missing == 0
            ? DoctorCheck.Pass(DoctorChecks.ReservedPorts, $"runner ports {first}–{last} are reserved ({reserved.Trim()})")
            : DoctorCheck.Fail(DoctorChecks.ReservedPorts,
                $"{missing} of the runner ports {first}–{last} are not in net.ipv4.ip_local_reserved_ports ('{reserved.Trim()}'): an outgoing connection can take one and a runner then fails to bind", fix);
    }

    /// <param name="problem">Why Press's Redis did not answer (null: it did).</param>
    /// <param name="databases">Its <c>databases</c> setting (null: CONFIG is not allowed; then the index is proven by use).</param>
    public static DoctorCheck Redis(string endpoint, string? problem, int? databases, int database)
    {
        if (problem is not null)
            return DoctorCheck.Fail(DoctorChecks.Redis, $"Press's Redis at {endpoint} does not answer: {problem}",
                "start Redis (or fix Press__Redis__Configuration and Press__Redis__Password); without it workers poll and progress is re-read every second, nothing is lost");
        if (databases is { } count && database >= count)
            return DoctorCheck.Fail(DoctorChecks.Redis, $"Press uses database {database} but Redis has {count} (databases {count})",
                $"raise `databases` in redis.conf above {database}, or use a lower defaultDatabase in Press__Redis__Configuration");
        return DoctorCheck.Pass(DoctorChecks.Redis, $"{endpoint} answers; database {database} of {(databases?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number")}");
    }

    /// <param name="problem">What failed writing, reading back or deleting a probe object (null: all worked).</param>
    public static DoctorCheck ObjectStore(string where, string? problem) =>
        problem is null
            ? DoctorCheck.Pass(DoctorChecks.ObjectStore, $"{where}: a probe object was written, read back and deleted")
            : DoctorCheck.Fail(DoctorChecks.ObjectStore, $"{where}: {problem}",
                "check the object store runs and that Press__S3__* (bucket, endpoint, keys) or Press__ObjectStore__Folder point at a place Press may write");

    /// <summary>Below this share of the disk free, a check fails: a full disk stops PostgreSQL or a backup mid-way.</summary>
    public const double MinFreeShare = 0.10;

    public static DoctorCheck FreeDisk(string name, string what, string? path, long? freeBytes, long? totalBytes, string? notChecked = null)
    {
        if (notChecked is not null) return DoctorCheck.Skip(name, notChecked);
        if (path is null || freeBytes is null || totalBytes is null or 0)
            return DoctorCheck.Fail(name, $"the free space of {what} could not be read", $"check that {path ?? "the folder"} exists and Press may read it");
        var share = (double)freeBytes.Value / totalBytes.Value;
        var text = $"{what} ({path}): {Gib(freeBytes.Value)} free of {Gib(totalBytes.Value)} ({share:P0})";
        return share >= MinFreeShare
            ? DoctorCheck.Pass(name, text)
            : DoctorCheck.Fail(name, text + $", under {MinFreeShare:P0}", $"free space on the file system of {path} or grow it before it fills");
    }

    private static string Gib(long bytes) => $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB";

    /// <summary>Leases run by PostgreSQL's clock and schedules by Press's: past this they disagree visibly.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(2);

    /// <param name="pressBefore">Press's clock just before the query, <paramref name="pressAfter"/> just after.</param>
    public static DoctorCheck ClockSkew(DateTimeOffset pressBefore, DateTimeOffset postgres, DateTimeOffset pressAfter)
    {
        // The server read its clock somewhere inside the round trip: compare with its middle, allow half of it.
        var middle = pressBefore + (pressAfter - pressBefore) / 2;
        var skew = (postgres - middle).Duration();
        var allowed = MaxClockSkew + (pressAfter - pressBefore) / 2;
        var text = $"Press and PostgreSQL differ by {skew.TotalMilliseconds:0} ms";
        return skew <= allowed
            ? DoctorCheck.Pass(DoctorChecks.ClockSkew, text)
            : DoctorCheck.Fail(DoctorChecks.ClockSkew, text + $" (more than {MaxClockSkew.TotalSeconds:0} s): schedules and leases disagree",
                "synchronise both hosts' clocks (chrony or systemd-timesyncd)");
    }

    public static DoctorCheck StaleBackups(IReadOnlyList<string> staleSites, int staleAfterHours)
    {
        if (staleSites.Count == 0)
            return DoctorCheck.Pass(DoctorChecks.StaleBackups, $"every site has a good backup younger than {staleAfterHours} h");
        var names = string.Join(", ", staleSites.Take(10)) + (staleSites.Count > 10 ? $" and {staleSites.Count - 10} more" : "");
        return DoctorCheck.Fail(DoctorChecks.StaleBackups, $"{staleSites.Count} site(s) have no good backup younger than {staleAfterHours} h: {names}",
            "look at their failed BackupSite jobs (press job list), fix the cause, then `press backup create SITE`");
    }

    /// <summary>Failed jobs of the last day still failed; jobs running past <paramref name="stuckAfter"/>; jobs due and not started.</summary>
    public sealed record JobFacts(IReadOnlyList<Guid> Failed, IReadOnlyList<Guid> Stuck, long Overdue, TimeSpan StuckAfter, TimeSpan OverdueAfter);

    public static DoctorCheck Jobs(JobFacts f)
    {
        var problems = new List<string>();
        var fixes = new List<string>();
        if (f.Failed.Count > 0)
        {
            problems.Add($"{f.Failed.Count} job(s) failed in the last 24 h: {string.Join(", ", f.Failed.Take(5))}");
            fixes.Add("`press job show ID` names the failed step; fix its cause and `press job retry ID`");
        }
        if (f.Stuck.Count > 0)
        {
            problems.Add($"{f.Stuck.Count} job(s) running for more than {f.StuckAfter.TotalHours:0} h: {string.Join(", ", f.Stuck.Take(5))}");
            fixes.Add("`press job watch ID` shows the step it is in; a step past the tool timeout points at a hung dependency");
        }
        if (f.Overdue > 0)
        {
            problems.Add($"{f.Overdue} job(s) due for more than {f.OverdueAfter.TotalMinutes:0} minutes and not started");
            fixes.Add("start a worker (press-worker), or see why it stopped claiming jobs (its log)");
        }
        return problems.Count == 0
            ? DoctorCheck.Pass(DoctorChecks.Jobs, "no job failed in the last 24 h, none stuck, the queue moves")
            : DoctorCheck.Fail(DoctorChecks.Jobs, string.Join("; ", problems), string.Join("; ", fixes));
    }

    /// <param name="strays">Press-labelled containers of no live site; null when the driver has none.</param>
    public static DoctorCheck StrayRunners(string driver, IReadOnlyList<string>? strays) =>
        strays is null
            ? DoctorCheck.Skip(DoctorChecks.StrayRunners, $"runtime '{driver}' has no runner containers")
            : strays.Count == 0
                ? DoctorCheck.Pass(DoctorChecks.StrayRunners, "every Press-labelled container belongs to a live site")
                : DoctorCheck.Fail(DoctorChecks.StrayRunners, $"{strays.Count} Press-labelled container(s) belong to no live site: {string.Join(", ", strays.Take(10))}",
                    "Press never deletes them: check each (docker inspect NAME) and remove it with `docker rm -f NAME` when it is not needed");

    /// <param name="present">null when the driver runs no image.</param>
    public static DoctorCheck RunnerImage(string driver, string? image, bool? present) =>
        present is null
            ? DoctorCheck.Skip(DoctorChecks.RunnerImage, $"runtime '{driver}' runs no image")
            : present.Value
                ? DoctorCheck.Pass(DoctorChecks.RunnerImage, $"{image} is on the Docker engine")
                : DoctorCheck.Fail(DoctorChecks.RunnerImage, $"{image} is not on the Docker engine (Press never pulls images)",
                    $"`docker pull {image}` or `docker load`, or set the setting runtime.image to an image the engine has");

    public static DoctorCheck TraefikSecret(string ingressMode, bool secretSet) =>
        secretSet
            ? DoctorCheck.Pass(DoctorChecks.TraefikSecret, "Press__Ingress__TraefikSecret is set")
            : ingressMode == "traefik"
                ? DoctorCheck.Fail(DoctorChecks.TraefikSecret, "ingress mode is traefik but Press has no ingress secret: Traefik gets 503 and routes nothing",
                    "set Press__Ingress__TraefikSecret_FILE to a file holding the secret Traefik sends as X-Press-Ingress-Secret")
                : DoctorCheck.Skip(DoctorChecks.TraefikSecret, $"ingress mode is {ingressMode}: Traefik is not used");

    /// <param name="authority">null when single sign-on is not configured.</param>
    /// <param name="problem">Why the issuer's discovery document or keys could not be had (null: fine).</param>
    public static DoctorCheck OidcIssuer(string? authority, string? problem) =>
        authority is null
            ? DoctorCheck.Skip(DoctorChecks.OidcIssuer, "single sign-on is not configured: local accounts only")
            : problem is null
                ? DoctorCheck.Pass(DoctorChecks.OidcIssuer, $"{authority} answers with its discovery document and keys")
                : DoctorCheck.Fail(DoctorChecks.OidcIssuer, $"{authority}: {problem}; the login page offers every local account meanwhile",
                    "check the issuer runs and this host reaches it (Press__Oidc__Authority must be its exact issuer URL)");
}
