using System.Data.Common;

namespace Press.Core.Jobs;

/// <summary>
/// Classifies an exception that escaped a step untranslated — typically from a metadata store the step called — so a
/// dropped connection or a database failover is retried with backoff instead of failing the job for good. Adapters
/// implement it for their vendor's errors (PostgreSQL's SQLSTATEs); <c>null</c> means "not one of mine".
/// </summary>
public interface IFailureClassifier
{
    FailureKind? Classify(Exception error);
}

internal static class FailureClassification
{
    public static FailureKind Classify(Exception error, IEnumerable<IFailureClassifier> classifiers)
    {
        foreach (var classifier in classifiers)
            if (classifier.Classify(error) is { } kind) return kind;
        // Every ADO.NET provider says whether its error may pass by itself; unknown errors are not retried blindly: the
        // operator sees them and retries from the step.
        return error is DbException { IsTransient: true } ? FailureKind.Transient : FailureKind.Permanent;
    }
}
