using Npgsql;
using Press.Core.Jobs;

namespace Press.Infrastructure.Postgres;

/// <summary>Translates Npgsql and PostgreSQL errors into step failures at the adapter boundary.</summary>
internal static class PostgresErrors
{
    public static async Task Guard(string what, Func<Task> action) => await Guard(what, async () => { await action(); return true; });

    public static async Task<T> Guard<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (PostgresException ex)
        {
            throw new StepFailedException(IsTransient(ex.SqlState, ex.MessageText) ? FailureKind.Transient : FailureKind.Permanent,
                $"{what}: PostgreSQL {ex.SqlState}: {ex.MessageText}", ex);
        }
        catch (NpgsqlException ex)
        {
            // Not a server answer: the connection itself failed (refused, reset, timed out).
            throw new StepFailedException(ex.IsTransient ? FailureKind.Transient : FailureKind.Permanent,
                $"{what}: cannot reach PostgreSQL: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Connection failures, shutdowns, resource limits and serialization conflicts go away by themselves; so does
    /// XX000 "tuple concurrently updated", raised when two sessions rewrite the same catalog row.
    /// </summary>
    public static bool IsTransient(string sqlState, string message = "") =>
        (sqlState == "XX000" && message.Contains("tuple concurrently updated", StringComparison.Ordinal))
        || sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01" or "55P03";

    /// <summary>A PostgreSQL answer with a transient SQLSTATE (above), or no answer at all (connection refused, reset,
    /// timed out): Npgsql marks those transient itself.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        PostgresException pg => IsTransient(pg.SqlState, pg.MessageText),
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="action"/> again after transient errors, 100 ms doubling to 5 s between tries, for at most
    /// <see cref="RetryFor"/> or until <paramref name="ct"/> ends. The action must be idempotent: after a lost answer
    /// it may have committed already. Why minutes: a failover or a restart with crash recovery takes that long, and the
    /// writes retried here are the job engine's own bookkeeping; under a lease the runner's token ends them sooner.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> action, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await action(ct);
            }
            catch (Exception ex) when (IsTransient(ex) && !ct.IsCancellationRequested && time.GetElapsedTime(started) + delay < RetryFor)
            {
                await Task.Delay(delay, time, ct);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }

    public static readonly TimeSpan RetryFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
}

/// <summary>PostgreSQL errors raised through a step untranslated (from a metadata store it called), for the runner.</summary>
public sealed class PostgresFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception error) => error is NpgsqlException
        ? PostgresErrors.IsTransient(error) ? FailureKind.Transient : FailureKind.Permanent
        : null;
}
