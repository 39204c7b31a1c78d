using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>The runner and its Redis sidecar as exact Docker create parameters: locked down, and only the site's own volumes.</summary>
public sealed class ContainerSpecTests
{
    private static readonly DockerRuntimeOptions Options = new();

    private static readonly Site Site = new(Guid.Parse("0193a2b4-0000-7000-8000-000000000001"), "erp.example.com", SiteState.Active,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null) { RunnerPort = 48600 };

    [Fact]
    public void The_runner_has_a_PID_limit_no_capabilities_no_privilege_gain_and_a_read_only_root()
    {
        var spec = RunnerContainer.Build(Site, 48600, new RunnerContainer.Limits("frappe/erpnext:v16", 2048, 1.0, 512), Options);
        var host = spec.HostConfig!;

        Assert.Equal(512L, host.PidsLimit);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Null(host.CapAdd); // Frappe runs as an unprivileged user and needs none back
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(new Dictionary<string, string>
        {
            ["/tmp"] = "rw,nosuid,nodev,size=256m",
            ["/home/frappe/frappe-bench/logs"] = "rw,nosuid,nodev,noexec,size=64m,uid=1000,gid=1000,mode=0755",
        }, host.Tmpfs);
        Assert.False(host.Privileged);
        Assert.Equal("host", host.NetworkMode);
        Assert.Equal(2048L * 1024 * 1024, host.Memory);
        Assert.Equal(1_000_000_000L, host.NanoCPUs);
        Assert.Equal("frappe", spec.User);
    }

    [Fact]
    public void The_runner_mounts_its_site_folder_and_only_its_own_Redis_read_only()
    {
        var spec = RunnerContainer.Build(Site, 48600, new RunnerContainer.Limits("img", 512, 0.5), Options);

        Assert.Equal(
        [
            ("volume", "fcs-press-site-erp.example.com", "/home/frappe/frappe-bench/sites/erp.example.com", false),
            ("volume", "fcs-press-site-erp.example.com-redis", "/run/press-redis", true),
        ], spec.HostConfig!.Mounts!.Select(m => (m.Type, m.Source, m.Target, m.ReadOnly == true)));
        Assert.Equal("/run/press-redis/redis.sock", RunnerContainer.RedisSocket(Options));
        Assert.Equal(DockerRuntimeOptions.DefaultPidsLimit, spec.HostConfig!.PidsLimit);
    }

    [Fact]
    public void An_operator_can_give_the_runner_a_writable_root_for_an_app_that_needs_one()
    {
        var options = new DockerRuntimeOptions { ReadOnlyRootFilesystem = false };
        var host = RunnerContainer.Build(Site, 48600, new RunnerContainer.Limits("img", 512, 0.5), options).HostConfig!;

        Assert.False(host.ReadonlyRootfs);
        Assert.Null(host.Tmpfs);
        Assert.Equal(["ALL"], host.CapDrop); // the rest of the lock-down stays
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
    }

    [Fact]
    public void The_Redis_sidecar_has_no_network_its_own_volume_and_the_same_lock_down()
    {
        var spec = RedisContainer.Build(Site, new RedisContainer.Limits("redis:7", 256, 64), Options);

        Assert.Equal("fcs-press-site-erp.example.com-redis", spec.Name);
        Assert.Equal("redis:7", spec.Image);
        Assert.Equal("999:999", spec.User);
        Assert.Null(spec.Cmd);
        Assert.Equal(
        [
            "redis-server", "--bind", "127.0.0.1", "--port", "6379", "--protected-mode", "yes",
            "--unixsocket", "/data/redis.sock", "--unixsocketperm", "777",
            "--dir", "/data", "--databases", "2",
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--maxmemory", "256mb", "--maxmemory-policy", "noeviction",
        ], spec.Entrypoint);
        Assert.Equal(new Dictionary<string, string>
        {
            ["press.managed"] = "true", ["press.site"] = "erp.example.com", ["press.site-id"] = Site.Id.ToString(), ["press.role"] = "redis",
        }, spec.Labels);

        var host = spec.HostConfig!;
        Assert.Equal("none", host.NetworkMode);
        Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy!.Name);
        Assert.Equal(512L * 1024 * 1024, host.Memory);
        Assert.Equal(64L, host.PidsLimit);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Null(host.CapAdd);
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
        Assert.True(host.ReadonlyRootfs);
        Assert.Null(host.Tmpfs);
        Assert.Equal([("volume", "fcs-press-site-erp.example.com-redis", "/data", false)],
            host.Mounts!.Select(m => (m.Type, m.Source, m.Target, m.ReadOnly == true)));
        Assert.Null(spec.ExposedPorts);
        Assert.Null(host.PortBindings);
    }

    [Fact]
    public void An_exec_runs_under_timeout_inside_the_container_and_its_kill_finds_it_by_its_id()
    {
        Assert.Equal(["timeout", "--kill-after=10s", "1800s", "bench", "--site", "a", "migrate"],
            DockerEngine.BoundedArgv(["bench", "--site", "a", "migrate"], TimeSpan.FromMinutes(30)));
        Assert.Equal(["timeout", "--kill-after=10s", "2s", "true"], DockerEngine.BoundedArgv(["true"], TimeSpan.FromMilliseconds(1500)));
        var kill = DockerEngine.KillCommand("0123abcd");
        Assert.Equal(["sh", "-c"], kill.Take(2));
        Assert.Equal(["sh", "0123abcd"], kill.Skip(3)); // the id is an argument, never spliced into the script
        Assert.DoesNotContain("0123abcd", kill[2]);
    }

    [Fact]
    public void A_runner_made_before_each_site_had_its_own_Redis_is_recognised_for_replacement()
    {
        ContainerInspectResponse With(params (string Name, string Destination)[] mounts) =>
            new() { Mounts = mounts.Select(m => new MountPoint { Type = "volume", Name = m.Name, Destination = m.Destination }).ToList() };

        Assert.False(RunnerContainer.MountsOwnRedis(With(("fcs-press-site-erp.example.com", "/home/frappe/frappe-bench/sites/erp.example.com")), Site, Options));
        Assert.True(RunnerContainer.MountsOwnRedis(With(("fcs-press-site-erp.example.com", "/home/frappe/frappe-bench/sites/erp.example.com"),
            ("fcs-press-site-erp.example.com-redis", "/run/press-redis")), Site, Options));
        Assert.False(RunnerContainer.MountsOwnRedis(With(("fcs-press-site-other.example.com-redis", "/run/press-redis")), Site, Options));
    }
}

/// <summary>A site's workers and scheduler as exact Docker create parameters (docs/architecture.md §9).</summary>
public sealed class BackgroundContainerSpecTests
{
    private static readonly DockerRuntimeOptions Options = new();

    private static readonly Site Site = new(Guid.Parse("0193a2b4-0000-7000-8000-000000000001"), "erp.example.com", SiteState.Active,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null) { RunnerPort = 48600 };

    private static readonly RunnerContainer.Limits Limits = new("frappe/erpnext:v16", 1024, 0.5, 512);

    [Fact]
    public void Each_site_has_a_short_and_default_worker_a_long_worker_a_scheduler_and_socket_io()
    {
        Assert.Equal(
        [
            ("fcs-press-site-erp.example.com-worker-short", "bench worker --queue 'short,default'"),
            ("fcs-press-site-erp.example.com-worker-long", "bench worker --queue long"),
            ("fcs-press-site-erp.example.com-schedule", "bench schedule"),
            ("fcs-press-site-erp.example.com-socketio", "node apps/frappe/socketio.js"),
        ], Press.Infrastructure.Runtime.Background.BackgroundProcesses.All.Select(p => (BackgroundContainer.Name(Site, p.Role), p.Command.Display)));
    }

    [Fact]
    public void A_worker_runs_locked_down_on_the_sites_volumes_with_the_sites_own_queue()
    {
        var worker = Press.Infrastructure.Runtime.Background.BackgroundProcesses.All[0];
        var spec = BackgroundContainer.Build(Site, worker, Limits, Options);
        var host = spec.HostConfig!;

        Assert.Equal("fcs-press-site-erp.example.com-worker-short", spec.Name);
        Assert.Equal(["bench", "worker", "--queue", "short,default"], spec.Cmd);
        Assert.Equal("frappe", spec.User);
        Assert.Equal("/home/frappe/frappe-bench", spec.WorkingDir);
        Assert.Equal(["FRAPPE_REDIS_CACHE=unix:///run/press-redis/redis.sock?db=0", "FRAPPE_REDIS_QUEUE=unix:///run/press-redis/redis.sock?db=1"], spec.Env);
        Assert.Equal(new Dictionary<string, string>
        {
            ["press.managed"] = "true", ["press.site"] = "erp.example.com", ["press.site-id"] = Site.Id.ToString(), ["press.role"] = "worker-short",
        }, spec.Labels);
        Assert.Equal(
        [
            ("volume", "fcs-press-site-erp.example.com", "/home/frappe/frappe-bench/sites/erp.example.com", false),
            ("volume", "fcs-press-site-erp.example.com-redis", "/run/press-redis", true),
        ], host.Mounts!.Select(m => (m.Type, m.Source, m.Target, m.ReadOnly == true)));
        Assert.Equal(1024L * 1024 * 1024, host.Memory);
        Assert.Equal(500_000_000L, host.NanoCPUs);
        Assert.Equal(512L, host.PidsLimit);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal("host", host.NetworkMode);
        Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy.Name);
        Assert.True(host.Init); // the stop signal reaches the worker, which is then not PID 1
    }

    [Fact]
    public void The_scheduler_takes_each_sites_queue_from_its_config_not_the_environment()
    {
        var scheduler = Press.Infrastructure.Runtime.Background.BackgroundProcesses.All[2];
        var spec = BackgroundContainer.Build(Site, scheduler, Limits, Options);

        Assert.Equal(["bench", "schedule"], spec.Cmd);
        Assert.Empty(spec.Env);
        Assert.Equal("schedule", spec.Labels["press.role"]);
    }

    [Fact]
    public void Socket_io_listens_on_a_unix_socket_in_its_own_volume_and_subscribes_on_the_sites_Redis_socket()
    {
        var socketIo = Press.Infrastructure.Runtime.Background.BackgroundProcesses.All[3];
        var spec = BackgroundContainer.Build(Site, socketIo, Limits, Options);

        Assert.Equal(["node", "apps/frappe/socketio.js"], spec.Cmd);
        // No ?db= (node's client takes the rest of the URL as the path); a unix socket, so no TCP port at all.
        Assert.Equal(["FRAPPE_REDIS_QUEUE=unix:///run/press-redis/redis.sock", "FRAPPE_SOCKETIO_UDS=/run/press-socketio/socketio.sock"], spec.Env);
        var key = Press.Infrastructure.Runtime.Background.BackgroundProcesses.SocketIoKey("erp.example.com");
        Assert.Matches("^[0-9a-f]{16}$", key);
        Assert.Equal(
        [
            ("volume", "fcs-press-site-erp.example.com-redis", "/run/press-redis", true),
            ("volume", $"fcs-press-io-{key}", "/run/press-socketio", false),
        ], spec.HostConfig!.Mounts!.Select(m => (m.Type, m.Source, m.Target, m.ReadOnly == true)));
        Assert.Equal("socketio", spec.Labels["press.role"]);
        Assert.Equal(["ALL"], spec.HostConfig.CapDrop);
        Assert.True(spec.HostConfig.ReadonlyRootfs);
    }

    [Fact]
    public void The_socket_io_volume_name_is_short_whatever_the_site_name()
    {
        var longName = string.Join('.', Enumerable.Repeat("abcdefghij", 20)) + ".example.com";
        Assert.Equal("fcs-press-io-".Length + 16, BackgroundContainer.SocketIoVolume(longName).Length);
        Assert.NotEqual(BackgroundContainer.SocketIoVolume("a.example.com"), BackgroundContainer.SocketIoVolume("b.example.com"));
    }
}
