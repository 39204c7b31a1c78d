using System.Text.RegularExpressions;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>docker/press/*/Dockerfile: bases, users, health checks and the PostgreSQL client of the worker.</summary>
public sealed class DockerfileTests
{
    [Theory]
    [InlineData("press-manager", "Press.Manager", 48550)]
    [InlineData("press-worker", "Press.Worker", 48551)]
    public void Press_images_take_their_base_as_an_argument_and_run_the_self_contained_app(string image, string app, int port)
    {
        var dockerfile = Dockerfile.Load($"press/{image}/Dockerfile");
        // ARG before FROM, so a locally imported Debian image can stand in for the default.
        Assert.Equal(("ARG", "BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0"), dockerfile.Instructions[0]);
        Assert.Equal("${BASE_IMAGE}", dockerfile.Single("FROM"));
        Assert.Equal("app", dockerfile.Last("USER"));
        Assert.Equal($"[\"/app/{app}\"]", dockerfile.Single("ENTRYPOINT"));
        Assert.Contains(dockerfile.All("ENV"), e => e.StartsWith($"ASPNETCORE_URLS=http://127.0.0.1:{port} ", StringComparison.Ordinal));
        // The check follows the app: the first address of ASPNETCORE_URLS, whatever port it was moved to.
        Assert.Contains("curl -fsS -o /dev/null \"${ASPNETCORE_URLS%%;*}/healthz\"", dockerfile.Single("HEALTHCHECK"));
        Assert.Contains($"test -x /app/{app}", string.Join('\n', dockerfile.All("RUN")));
    }

    [Fact]
    public void No_image_sets_invariant_globalization_because_the_build_does()
    {
        // The images carry no ICU (the fcs-press-base stand-in has none): the apps must stay invariant.
        Assert.Contains("<InvariantGlobalization>true</InvariantGlobalization>", File.ReadAllText(Path.Combine(DeploymentPaths.Repo, "Directory.Build.props")));
        foreach (var image in new[] { "press-manager", "press-worker" })
            Assert.DoesNotContain("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", string.Join('\n', Dockerfile.Load($"press/{image}/Dockerfile").All("ENV")));
    }

    [Fact]
    public void The_worker_installs_postgresql_client_tools_of_the_servers_major_from_pgdg_unless_told_none()
    {
        var dockerfile = Dockerfile.Load("press/press-worker/Dockerfile");
        Assert.Contains("PG_CLIENT_INSTALL=pgdg", dockerfile.All("ARG"));
        var major = dockerfile.All("ARG").Single(a => a.StartsWith("PG_MAJOR=", StringComparison.Ordinal))["PG_MAJOR=".Length..];
        // The same major as the server image of both compose files (postgres:16).
        Assert.Equal($"postgres:{major}", ComposeFile.Production["postgres"].Str("image"));
        Assert.Equal($"postgres:{major}", ComposeFile.Development["postgres"].Str("image"));

        var install = dockerfile.All("RUN").Single(r => r.Contains("PG_CLIENT_INSTALL", StringComparison.Ordinal));
        Assert.Matches(@"pgdg\)[^;]*;.*apt\.postgresql\.org/pub/repos/apt .*-pgdg main", install);
        Assert.Contains("postgresql-client-${PG_MAJOR}", install);
        Assert.Contains("none)", install);
        Assert.Contains("must be 'pgdg' or 'none'", install);
        Assert.Contains(dockerfile.All("ENV"), e => e.StartsWith("PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_bench_image_is_frappe_erpnext_v16_with_labels_and_curl_only()
    {
        var dockerfile = Dockerfile.Load("press/bench/Dockerfile");
        Assert.Equal(("ARG", "FRAPPE_IMAGE=frappe/erpnext:v16"), dockerfile.Instructions[0]);
        Assert.Equal("${FRAPPE_IMAGE}", dockerfile.Single("FROM"));
        Assert.Equal(["FROM", "ARG", "LABEL", "USER", "RUN", "USER"], dockerfile.Instructions.Skip(1).Select(i => i.Keyword));
        Assert.Contains("io.fcs-press.role=\"site-runner\"", dockerfile.Single("LABEL"));
        Assert.Matches(new Regex(@"command -v curl .*apt-get install -y --no-install-recommends curl"), dockerfile.Single("RUN"));
        Assert.Equal("frappe", dockerfile.Last("USER"));
    }
}
