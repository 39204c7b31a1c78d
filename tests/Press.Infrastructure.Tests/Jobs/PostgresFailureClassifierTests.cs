using Npgsql;
using Press.Core.Jobs;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>Which PostgreSQL errors raised through a step are retried (they pass by themselves) and which fail the job.</summary>
public sealed class PostgresFailureClassifierTests
{
    private static readonly PostgresFailureClassifier Classifier = new();

    private static PostgresException Server(string sqlState, string message = "test") => new(message, "FATAL", "FATAL", sqlState);

    [Theory]
    [InlineData("57P01", "terminating connection due to administrator command")] // failover, restart
    [InlineData("57P03", "the database system is starting up")]
    [InlineData("40001", "could not serialize access due to concurrent update")]
    [InlineData("40P01", "deadlock detected")]
    [InlineData("53300", "sorry, too many clients already")]
    [InlineData("08006", "connection failure")]
    [InlineData("XX000", "tuple concurrently updated")]
    public void Server_errors_that_pass_by_themselves_are_transient(string sqlState, string message) =>
        Assert.Equal(FailureKind.Transient, Classifier.Classify(Server(sqlState, message)));

    [Theory]
    [InlineData("42501", "permission denied for table sites")]
    [InlineData("23505", "duplicate key value violates unique constraint")]
    [InlineData("XX000", "cache lookup failed for relation 1234")]
    public void Other_server_errors_are_permanent(string sqlState, string message) =>
        Assert.Equal(FailureKind.Permanent, Classifier.Classify(Server(sqlState, message)));

    [Fact]
    public void No_answer_at_all_is_transient() =>
        Assert.Equal(FailureKind.Transient, Classifier.Classify(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));

    [Fact]
    public void Errors_of_other_systems_are_left_to_others() =>
        Assert.Null(Classifier.Classify(new IOException("disk on fire")));
}
