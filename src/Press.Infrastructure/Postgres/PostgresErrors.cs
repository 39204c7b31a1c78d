using Npgsql;
using Press.Core.Jobs;

namespace Press.Infrastructure.Postgres;

/// <summary>Translates Npgsql and PostgreSQL errors into step failures at the adapter boundary.</summary>
internal static class PostgresErrors
{
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
}
