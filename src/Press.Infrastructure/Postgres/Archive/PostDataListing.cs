using Npgsql;
using Press.Core.Jobs;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>The listing a <see cref="PostDataPlan"/> is made from, and the list files pg_restore reads back.</summary>
internal static class PostDataListing
{
    /// <summary><c>pg_restore --list</c> of the definitions archive's data and post-data entries (no connection).</summary>
    public static async Task<string> ReadAsync(BackupOptions options, NpgsqlConnectionStringBuilder connection, Stream archive, string dumpSchema,
        CancellationToken ct)
    {
        var offline = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Password = null };
        using var restore = PgTool.Start(options, "pg_restore", offline, PgArgs.ListAfterRows(dumpSchema), stdin: true);
        try
        {
            var errors = PgTool.CollectErrorsAsync(restore);
            var listing = restore.StandardOutput.ReadToEndAsync(ct);
            try { await archive.CopyToAsync(restore.StandardInput.BaseStream, ct); }
            catch (IOException) { } // pg_restore stops reading once it has the table of contents; its exit code decides
            finally { restore.StandardInput.Close(); }
            await restore.WaitForExitAsync(ct);
            if (restore.ExitCode != 0)
            {
                var message = await errors;
                throw new StepFailedException(PgTool.Classify(message), $"pg_restore --list failed (exit {restore.ExitCode}): {message}");
            }
            return await listing;
        }
        finally { PgTool.Kill(restore); }
    }
}

/// <summary>Temporary <c>--use-list</c> files of one restore, deleted with it.</summary>
internal sealed class ListFiles : IDisposable
{
    private readonly List<string> _paths = [];

    public string Write(IEnumerable<string> lines)
    {
        var path = Path.GetTempFileName();
        _paths.Add(path);
        File.WriteAllLines(path, lines);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _paths)
            try { File.Delete(path); } catch (IOException) { }
    }
}
