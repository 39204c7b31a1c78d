using System.Text.RegularExpressions;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// How a parallel restore's last phase is split (docs/architecture.md §6): the index builds — <c>INDEX</c> and
/// non-foreign-key <c>CONSTRAINT</c> entries (primary keys, unique and exclusion constraints), where a restore spends
/// its post-data time — spread over <see cref="Builders"/> sessions that run at once, one statement per transaction;
/// everything else of the data and post-data sections (sequence values, foreign keys, which need the unique indexes
/// they reference, triggers, attachments) in the last transaction, which marks the schema complete. Built from
/// <c>pg_restore -l</c> of the definitions archive; the lists go back to pg_restore as <c>--use-list</c> files, which
/// select entries by their leading dump id. Comments and security labels go into every list: in a selective restore
/// pg_restore runs one only where the object it belongs to is restored too (<c>_tocEntryRequired</c> in
/// src/bin/pg_dump/pg_backup_archiver.c), and the listing does not say which object that is. A pure function of the
/// listing, tested exactly.
/// </summary>
public sealed partial record PostDataPlan(IReadOnlyList<IReadOnlyList<string>> Builders, IReadOnlyList<string> Last)
{
    /// <summary>The listing split into at most <paramref name="sessions"/> builders' lists (round robin, in the
    /// archive's order) and the last list. Null when the listing is not what pg_restore writes (a dump id seen twice,
    /// say): the caller then restores the whole phase in one session, as before — slower, never wrong.</summary>
    public static PostDataPlan? From(string listing, int sessions)
    {
        var builders = Enumerable.Range(0, Math.Max(1, sessions)).Select(_ => new List<string>()).ToList();
        var last = new List<string>();
        var builds = new HashSet<string>();
        var seen = new HashSet<long>();
        var next = 0;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith(';')) continue;
            if (Entry().Match(line) is not { Success: true } m || !seen.Add(long.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)))
                return null;
            var kind = m.Groups["rest"].Value;
            // "INDEX ATTACH" joins a partition's index to its parent's: both must exist, so it waits for the last phase.
            var buildsAnIndex = (kind.StartsWith("INDEX ", StringComparison.Ordinal) && !kind.StartsWith("INDEX ATTACH ", StringComparison.Ordinal))
                                || kind.StartsWith("CONSTRAINT ", StringComparison.Ordinal);
            if (kind.StartsWith("COMMENT ", StringComparison.Ordinal) || kind.StartsWith("SECURITY LABEL ", StringComparison.Ordinal))
            {
                // It follows its object in the archive, so in each list it comes after the object if that list has it.
                foreach (var builder in builders) builder.Add(line);
                last.Add(line);
            }
            else if (buildsAnIndex)
            {
                builders[next++ % builders.Count].Add(line);
                builds.Add(line);
            }
            else last.Add(line);
        }
        return new PostDataPlan(builders.Where(b => b.Any(builds.Contains)).ToList(), last);
    }

    /// <summary>What pg_restore -l prints for an entry: "dump id; table oid object oid type schema name owner".</summary>
    [GeneratedRegex(@"^(?<id>\d+); \d+ \d+ (?<rest>.*)$")]
    private static partial Regex Entry();
}
