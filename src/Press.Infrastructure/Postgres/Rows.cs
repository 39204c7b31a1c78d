using Npgsql;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>Row mapping for sites and jobs, shared by the stores and the API queries.</summary>
internal static class Rows
{
    public const string SiteColumns =
        "s.id, s.name, s.state, s.db_name, s.schema_name, s.role_name, s.password_enc, s.apps, s.created_at, s.updated_at, s.deleted_at, s.purge_after, s.purged_at, s.runner_port, s.admin_password_enc, s.config_sealed, s.app_versions::text, s.runner_image, s.runner_image_id, s.runtime_name";

    /// <summary>Number of columns <see cref="SiteColumns"/> selects, for readers that select more after them.</summary>
    public const int SiteColumnCount = 20;

    public static Site Site(NpgsqlDataReader r, int o = 0) => new(
        r.GetGuid(o),
        r.GetString(o + 1),
        Enum.Parse<SiteState>(r.GetString(o + 2)),
        new TenantLocation(r.GetString(o + 3), r.GetString(o + 4)),
        r.GetString(o + 5),
        r.GetFieldValue<byte[]>(o + 6),
        r.GetFieldValue<string[]>(o + 7),
        r.GetFieldValue<DateTimeOffset>(o + 8),
        r.GetFieldValue<DateTimeOffset>(o + 9),
        NullableTime(r, o + 10),
        NullableTime(r, o + 11),
        NullableTime(r, o + 12))
    {
        RunnerPort = r.IsDBNull(o + 13) ? null : r.GetInt32(o + 13),
        EncryptedAdminPassword = r.IsDBNull(o + 14) ? null : r.GetFieldValue<byte[]>(o + 14),
        SealedConfig = r.IsDBNull(o + 15) ? null : r.GetFieldValue<byte[]>(o + 15),
        AppVersions = r.IsDBNull(o + 16) ? null : System.Text.Json.JsonSerializer.Deserialize<SortedDictionary<string, string>>(r.GetString(o + 16)),
        Image = r.IsDBNull(o + 17) ? null : new RunnerImage(r.GetString(o + 17), NullableString(r, o + 18)),
        RuntimeName = NullableString(r, o + 19),
    };

    public static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    public static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private const string JobSelect = """
        SELECT j.id, j.kind, j.state, j.site_id, s.name, j.created_by, j.created_at, j.started_at, j.finished_at,
               j.failed_step, j.error, j.args::text
        FROM jobs j JOIN sites s ON s.id = j.site_id
        """;

    /// <param name="where">A fixed clause written in code, never user text; values go in <paramref name="args"/>.</param>
    public static async Task<List<Job>> ReadJobsAsync(NpgsqlConnection conn, string where, string orderAndLimit,
        CancellationToken ct, params (string, object?)[] args)
    {
        var heads = new List<Job>();
        await using (var cmd = Sql.Command(conn, $"{JobSelect} WHERE {where} {orderAndLimit}", args))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                heads.Add(new Job(r.GetGuid(0), Enum.Parse<JobKind>(r.GetString(1)), Enum.Parse<JobState>(r.GetString(2)),
                    r.GetGuid(3), r.GetString(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6),
                    NullableTime(r, 7), NullableTime(r, 8), NullableString(r, 9), NullableString(r, 10), [])
                {
                    Args = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(11)) ?? [],
                });
        }
        if (heads.Count == 0) return heads;

        var steps = heads.ToDictionary(j => j.Id, _ => new List<JobStep>());
        await using (var cmd = Sql.Command(conn, """
            SELECT job_id, ordinal, name, state, attempts, started_at, finished_at, output, error
            FROM job_steps WHERE job_id = ANY(@ids) ORDER BY job_id, ordinal
            """, ("ids", heads.Select(j => j.Id).ToArray())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                steps[r.GetGuid(0)].Add(new JobStep(r.GetInt32(1), r.GetString(2), Enum.Parse<StepState>(r.GetString(3)),
                    r.GetInt32(4), NullableTime(r, 5), NullableTime(r, 6), NullableString(r, 7), NullableString(r, 8)));
        }
        return heads.Select(j => j with { Steps = steps[j.Id] }).ToList();
    }

    public static async Task<Job?> ReadJobAsync(NpgsqlConnection conn, Guid id, CancellationToken ct) =>
        (await ReadJobsAsync(conn, "j.id = @id", "", ct, ("id", id))).SingleOrDefault();
}
