namespace Press.EndToEnd.Tests.Images;

/// <summary>
/// What the image tests need beyond PostgreSQL and Redis, set by <c>scripts/test</c>: the Docker engine and the Press
/// images it built there. A missing variable fails the test with how to run the suite — it never skips.
/// </summary>
public static class ImageTestServices
{
    /// <summary>The engine's socket URL (env <c>PRESS_TEST_DOCKER_HOST</c>); it has no bridge, so every container uses host networking.</summary>
    public static string DockerHost => Require("PRESS_TEST_DOCKER_HOST", "the Docker engine's socket URL, e.g. unix:///path/docker.sock");

    /// <summary>The press-manager image (env <c>PRESS_TEST_MANAGER_IMAGE</c>), e.g. <c>fcs-press/press-manager:dev</c>.</summary>
    public static string ManagerImage => Require("PRESS_TEST_MANAGER_IMAGE", "the press-manager image, e.g. fcs-press/press-manager:dev");

    /// <summary>The press-worker image (env <c>PRESS_TEST_WORKER_IMAGE</c>), e.g. <c>fcs-press/press-worker:dev</c>.</summary>
    public static string WorkerImage => Require("PRESS_TEST_WORKER_IMAGE", "the press-worker image, e.g. fcs-press/press-worker:dev");

    private static string Require(string name, string what) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set ({what}). Run the tests with scripts/test, which starts a Docker engine and builds the Press images.");
}
