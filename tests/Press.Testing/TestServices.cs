namespace Press.Testing;

/// <summary>
/// The real services the tests run against, started by <c>scripts/test</c>. A missing service fails the test with a
/// message saying how to run the suite — it never skips.
/// </summary>
public static class TestServices
{
    /// <summary>Superuser connection string of the main PostgreSQL 17 server (env <c>PRESS_TEST_POSTGRES</c>).</summary>
    public static string PostgresSuperuser => Require("PRESS_TEST_POSTGRES", "a PostgreSQL 17 superuser connection string");

    /// <summary>
    /// Superuser connection string of a second server, PostgreSQL 16 (env <c>PRESS_TEST_POSTGRES16</c>), for what must
    /// also work on 16 (production pins it) or must be refused there, such as restoring with 17's tools.
    /// </summary>
    public static string PostgresSuperuser16 => Require("PRESS_TEST_POSTGRES16", "a PostgreSQL 16 superuser connection string");

    /// <summary>
    /// Superuser connection string of a small PostgreSQL 17 server (env <c>PRESS_TEST_POSTGRES_SMALL</c>: few
    /// <c>max_connections</c>, <c>reserved_connections</c> set) that a test may fill with connections as a hostile tenant
    /// would, without starving the tests that share the main server.
    /// </summary>
    public static string PostgresSmallSuperuser => Require("PRESS_TEST_POSTGRES_SMALL", "a superuser connection string of the small PostgreSQL 17 server");

    /// <summary>
    /// The folder with pg_dump, pg_restore and psql of the same major version as <see cref="PostgresSuperuser"/>'s server
    /// (env <c>PRESS_TEST_PG_TOOLS</c>); scripts/test debootstraps PostgreSQL 17's client tools from Debian trixie.
    /// </summary>
    public static string PgTools => Require("PRESS_TEST_PG_TOOLS", "a folder with pg_dump, pg_restore and psql matching the server's major version");

    /// <summary>Redis endpoint (env <c>PRESS_TEST_REDIS</c>), e.g. <c>127.0.0.1:49711</c>.</summary>
    public static string Redis => Require("PRESS_TEST_REDIS", "a Redis host:port");

    /// <summary>That Redis's password (env <c>PRESS_TEST_REDIS_PASSWORD</c>; scripts/test-services sets one, as production
    /// does); null for a test Redis started without one.</summary>
    public static string? RedisPassword => Environment.GetEnvironmentVariable("PRESS_TEST_REDIS_PASSWORD") is { Length: > 0 } p ? p : null;

    /// <summary>The image of each site's Redis sidecar on the test engine (env <c>PRESS_TEST_REDIS_IMAGE</c>), e.g.
    /// <c>fcs-press-redis:test</c>.</summary>
    public static string RedisImage => Require("PRESS_TEST_REDIS_IMAGE", "the image of each site's Redis sidecar, e.g. fcs-press-redis:test");

    /// <summary>
    /// The Docker engine for the site-runtime tests (env <c>PRESS_TEST_DOCKER_HOST</c>), a unix socket URL such as
    /// <c>unix:///…/docker.sock</c>. The engine has no bridge network: every container uses host networking.
    /// </summary>
    public static string DockerHost => Require("PRESS_TEST_DOCKER_HOST", "the Docker engine's socket URL, e.g. unix:///path/docker.sock");

    /// <summary>The Frappe test double's image on that engine (env <c>PRESS_TEST_DOUBLE_IMAGE</c>), e.g. <c>fcs-press-frappe-double:test</c>.</summary>
    public static string DoubleImage => Require("PRESS_TEST_DOUBLE_IMAGE", "the Frappe test double's image, e.g. fcs-press-frappe-double:test");

    private static string Require(string name, string what) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set ({what}). Run the tests with scripts/test, which installs and starts the services.");

    /// <summary>The repository root (holds Press.slnx), for tests that start the built programs.</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Press.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Cannot find Press.slnx above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// Path of a program's dll built by the same <c>dotnet test</c> (same configuration), e.g. <c>Press.Worker</c> or
    /// <c>press</c> (the CLI, in project Press.Cli).
    /// </summary>
    public static string BuiltProgram(string project, string? assembly = null)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var path = Path.Combine(RepoRoot, "src", project, "bin", configuration, "net10.0", (assembly ?? project) + ".dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built; run `dotnet build Press.slnx -c {configuration}`.");
    }
}
