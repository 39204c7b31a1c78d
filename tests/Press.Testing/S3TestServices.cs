namespace Press.Testing;

/// <summary>An S3 endpoint and a key pair it accepts.</summary>
public sealed record S3TestEndpoint(string Url, string AccessKey, string SecretKey)
{
    public override string ToString() => $"S3TestEndpoint({Url}, {AccessKey}, ***)";
}

/// <summary>
/// The S3 server the object-store tests run against (Ceph radosgw with enforced credentials), started by
/// <c>scripts/test</c> through <c>scripts/lib/ceph.sh</c>. Like <see cref="TestServices"/>: a missing service fails
/// the test with a message saying how to run the suite — it never skips.
/// </summary>
public static class S3TestServices
{
    /// <summary>Env <c>PRESS_TEST_S3_URL</c> (e.g. <c>http://127.0.0.1:49704</c>), <c>PRESS_TEST_S3_ACCESS_KEY</c>,
    /// <c>PRESS_TEST_S3_SECRET_KEY</c>.</summary>
    public static S3TestEndpoint S3 => new(
        Require("PRESS_TEST_S3_URL", "the S3 endpoint, e.g. http://127.0.0.1:49704"),
        Require("PRESS_TEST_S3_ACCESS_KEY", "an access key the S3 server accepts"),
        Require("PRESS_TEST_S3_SECRET_KEY", "that access key's secret key"));

    private static string Require(string name, string what) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set ({what}). Run the tests with scripts/test, which installs and starts the services.");
}
