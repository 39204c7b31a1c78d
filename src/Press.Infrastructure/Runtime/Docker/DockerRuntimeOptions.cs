namespace Press.Infrastructure.Runtime.Docker;

/// <summary><c>Press:Runtime:Docker</c>: the Docker driver (one runner container per site).</summary>
public sealed class DockerRuntimeOptions
{
    /// <summary>Docker endpoint; empty = <c>DOCKER_HOST</c>, else the default socket.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Oldest Engine API Press speaks; Debian's docker.io 20.10 serves 1.41.</summary>
    public string ApiVersion { get; set; } = "1.41";

    /// <summary>Runner image; the setting <c>runtime.image</c> overrides it at run time.</summary>
    public string Image { get; set; } = "frappe/erpnext:v16";

    /// <summary>Default plan limits (settings <c>runtime.memoryMb</c> and <c>runtime.cpus</c> override them).</summary>
    public int MemoryMb { get; set; } = 2048;
    public double Cpus { get; set; } = 1.0;

    /// <summary>Limits of each background container (a worker, the scheduler); settings <c>runtime.workerMemoryMb</c> and
    /// <c>runtime.workerCpus</c> override them. A worker runs one job at a time in a forked child.</summary>
    public int WorkerMemoryMb { get; set; } = 1024;
    public double WorkerCpus { get; set; } = 0.5;

    /// <summary>Most processes and threads a runner may have (setting <c>runtime.pidsLimit</c> overrides): a fork bomb in
    /// one site cannot exhaust the host's PIDs. Frappe's gunicorn, workers and scheduler use a few hundred threads at most.</summary>
    public int PidsLimit { get; set; } = DefaultPidsLimit;
    public const int DefaultPidsLimit = 1024;

    /// <summary>Runners get a read-only root file system (writable: the site's volume, /tmp, the bench's logs/). An
    /// app that writes elsewhere fails with "Read-only file system"; set false to run such an app while it is fixed.</summary>
    public bool ReadOnlyRootFilesystem { get; set; } = true;

    /// <summary>Image of each site's Redis sidecar (setting <c>runtime.redisImage</c> overrides); never pulled by Press.</summary>
    public string RedisImage { get; set; } = "redis:7";

    /// <summary>The sidecar's user: the owner of the image's /data (the official redis image: redis, 999).</summary>
    public string RedisUser { get; set; } = "999:999";

    /// <summary>Each site's Redis memory cap (setting <c>runtime.redisMemoryMb</c> overrides).</summary>
    public int RedisMemoryMb { get; set; } = 256;

    /// <summary>Where a runner mounts its Redis's volume; the socket is <c>redis.sock</c> in it (short: unix socket paths
    /// are limited to 107 bytes).</summary>
    public string RedisSocketFolder { get; set; } = "/run/press-redis";

    /// <summary>"host" (runners bind 127.0.0.1:port on the host) — the only mode these hosts allow.</summary>
    public string NetworkMode { get; set; } = "host";

    /// <summary>The bench folder inside the image (frappe_docker's layout).</summary>
    public string BenchFolder { get; set; } = "/home/frappe/frappe-bench";

    /// <summary>User that owns the bench inside the image (frappe_docker: frappe, uid 1000).</summary>
    public int BenchUid { get; set; } = 1000;
    public string BenchUser { get; set; } = "frappe";

    /// <summary>How long one bench command may run (new-site with ERPNext takes minutes).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one upload of a files archive to the engine (a restore's staging) may take.</summary>
    public TimeSpan FileTransferTimeout { get; set; } = TimeSpan.FromHours(2);
}
