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
