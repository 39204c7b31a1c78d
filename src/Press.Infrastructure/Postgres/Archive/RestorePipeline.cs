using System.Text;
using Press.Core.Jobs;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// archive → <c>pg_restore -n &lt;dump schema&gt; -f -</c> (SQL, no connection) → <see cref="SchemaRenameFilter"/> →
/// <c>psql</c> logged in as the target site's helper login, all streaming: nothing of the archive touches the disk.
/// </summary>
internal static class RestorePipeline
{
    public static async Task<long> RunAsync(BackupOptions options, TenantLogin login, Stream archive, IReadOnlyList<string> restoreArgs,
        RestoreScript script, string dumpSchema, string targetSchema, string liveSchema, CancellationToken ct)
    {
        using var psql = PgTool.Start(options, "psql", login.Connection,
            ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-f", "-"], stdin: true);
        var offline = new Npgsql.NpgsqlConnectionStringBuilder(login.Connection.ConnectionString) { Password = null };
        using var restore = PgTool.Start(options, "pg_restore", offline, restoreArgs, stdin: true);
        var psqlErrors = PgTool.CollectErrorsAsync(psql);
        var restoreErrors = PgTool.CollectErrorsAsync(restore);
        long fed = 0;
        try
        {
            var feed = Task.Run(async () =>
            {
                try
                {
                    var buffer = new byte[1 << 20];
                    int read;
                    while ((read = await archive.ReadAsync(buffer, ct)) > 0)
                    {
                        await restore.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, read), ct);
                        fed += read;
                    }
                }
                finally { restore.StandardInput.Close(); }
            }, ct);
            var pipe = Task.Run(async () =>
            {
                var input = psql.StandardInput.BaseStream;
                try
                {
                    await input.WriteAsync(Encoding.UTF8.GetBytes(script.Prologue), ct);
                    await new SchemaRenameFilter(dumpSchema, targetSchema, liveSchema).CopyAsync(restore.StandardOutput.BaseStream, input, ct);
                    await restore.WaitForExitAsync(ct);
                    // A pg_restore that failed must not let the epilogue commit half a schema: end psql's input with an
                    // error so ON_ERROR_STOP rolls the transaction back.
                    await input.WriteAsync(Encoding.UTF8.GetBytes(restore.ExitCode == 0 ? script.Epilogue : RestoreScript.Abort), ct);
                }
                finally { psql.StandardInput.Close(); }
            }, ct);
            var flowing = Task.WhenAll(IgnorePipeErrors(feed), IgnorePipeErrors(pipe));
            var psqlExited = psql.WaitForExitAsync(ct);
            // psql failing early stops reading: pg_restore then blocks on its output and the feed on pg_restore's input.
            if (await Task.WhenAny(flowing, psqlExited) == psqlExited && psqlExited.IsCompletedSuccessfully && psql.ExitCode != 0) PgTool.Kill(restore);
            await flowing;
            await psqlExited;
            await restore.WaitForExitAsync(ct);
            if (psql.ExitCode != 0)
            {
                var message = await psqlErrors;
                throw new StepFailedException(PgTool.Classify(message), $"restore into {targetSchema} failed (psql exit {psql.ExitCode}); nothing was restored: {message}");
            }
            if (restore.ExitCode != 0)
            {
                var message = await restoreErrors;
                throw new StepFailedException(PgTool.Classify(message), $"pg_restore failed (exit {restore.ExitCode}); nothing was restored: {message}");
            }
            await feed; // the archive's own errors (a store that went away) surface here
            await pipe;
            return fed;
        }
        finally
        {
            PgTool.Kill(restore);
            PgTool.Kill(psql);
        }
    }

    /// <summary>A broken pipe means the other side exited; its exit code and message tell why, so the write error is
    /// not the one to report.</summary>
    private static async Task IgnorePipeErrors(Task task)
    {
        try { await task; }
        catch (IOException) { }
    }
}
