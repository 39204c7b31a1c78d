using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>
/// The runner and the file helper as exact Docker create parameters, every field at once (as <c>BenchCommandsTests</c>
/// asserts argv), written as the Docker.DotNet model serializes with System.Text.Json (the engine's field names; enums by
/// name and durations as TimeSpans, where the client sends "unless-stopped" and nanoseconds). A field added, dropped or
/// changed fails here and has to be accepted by editing the expected document.
/// </summary>
public sealed class ContainerSpecExactTests
{
    private static readonly DockerRuntimeOptions Options = new();

    private static readonly Site Site = new(Guid.Parse("0193a2b4-0000-7000-8000-000000000001"), "erp.example.com", SiteState.Active,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null) { RunnerPort = 48600 };

    /// <summary>Docker's field names, nothing left at its default (null, 0, false).</summary>
    internal static string Body(CreateContainerParameters spec) => JsonSerializer.Serialize(spec, new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    }).ReplaceLineEndings("\n");

    [Fact]
    public void The_runner_spec_is_exactly_this()
    {
        var spec = RunnerContainer.Build(Site, 48600, new RunnerContainer.Limits("frappe/erpnext:v16", 2048, 1.5, 512), Options);

        Assert.Equal(ExpectedRunner, Body(spec));
    }

    [Fact]
    public void The_file_helper_spec_is_exactly_this()
    {
        var spec = ContainerSiteFiles.HelperSpec(Site, "frappe/erpnext:v16", Options);

        Assert.Equal(ExpectedHelper, Body(spec));
    }

    private const string ExpectedRunner = """
        {
          "Name": "fcs-press-site-erp.example.com",
          "Hostname": "",
          "Domainname": "",
          "User": "frappe",
          "Cmd": [
            "/home/frappe/frappe-bench/env/bin/gunicorn",
            "--chdir=/home/frappe/frappe-bench/sites",
            "--bind=127.0.0.1:48600",
            "--threads=4",
            "--workers=2",
            "--worker-class=gthread",
            "--worker-tmp-dir=/dev/shm",
            "--timeout=120",
            "--preload",
            "frappe.app:application"
          ],
          "Healthcheck": {
            "Test": [
              "CMD",
              "curl",
              "-fsS",
              "-o",
              "/dev/null",
              "-H",
              "Host: erp.example.com",
              "http://127.0.0.1:48600/api/method/ping"
            ],
            "Interval": "00:00:10",
            "Timeout": "00:00:05",
            "StartPeriod": "00:01:00",
            "Retries": 3
          },
          "Image": "frappe/erpnext:v16",
          "WorkingDir": "/home/frappe/frappe-bench",
          "Labels": {
            "press.managed": "true",
            "press.site": "erp.example.com",
            "press.site-id": "0193a2b4-0000-7000-8000-000000000001",
            "press.port": "48600"
          },
          "HostConfig": {
            "ContainerIDFile": "",
            "LogConfig": {
              "Type": "json-file",
              "Config": {
                "max-size": "10m",
                "max-file": "3"
              }
            },
            "NetworkMode": "host",
            "RestartPolicy": {
              "Name": "UnlessStopped"
            },
            "VolumeDriver": "",
            "CapDrop": [
              "ALL"
            ],
            "CgroupnsMode": "",
            "IpcMode": "",
            "Cgroup": "",
            "PidMode": "",
            "ReadonlyRootfs": true,
            "SecurityOpt": [
              "no-new-privileges"
            ],
            "Tmpfs": {
              "/tmp": "rw,nosuid,nodev,size=256m",
              "/home/frappe/frappe-bench/logs": "rw,nosuid,nodev,noexec,size=64m,uid=1000,gid=1000,mode=0755"
            },
            "UTSMode": "",
            "UsernsMode": "",
            "Isolation": "",
            "Memory": 2147483648,
            "NanoCpus": 1500000000,
            "CgroupParent": "",
            "CpusetCpus": "",
            "CpusetMems": "",
            "PidsLimit": 512,
            "Mounts": [
              {
                "Type": "volume",
                "Source": "fcs-press-site-erp.example.com",
                "Target": "/home/frappe/frappe-bench/sites/erp.example.com"
              },
              {
                "Type": "volume",
                "Source": "fcs-press-site-erp.example.com-redis",
                "Target": "/run/press-redis",
                "ReadOnly": true
              }
            ]
          }
        }
        """;

    private const string ExpectedHelper = """
        {
          "Name": "fcs-press-files-erp.example.com",
          "Hostname": "",
          "Domainname": "",
          "User": "frappe",
          "Image": "frappe/erpnext:v16",
          "WorkingDir": "/home/frappe/frappe-bench/sites/erp.example.com",
          "Entrypoint": [
            "sleep",
            "infinity"
          ],
          "Labels": {
            "press.files-helper": "erp.example.com"
          },
          "HostConfig": {
            "ContainerIDFile": "",
            "NetworkMode": "none",
            "VolumeDriver": "",
            "CgroupnsMode": "",
            "IpcMode": "",
            "Cgroup": "",
            "PidMode": "",
            "UTSMode": "",
            "UsernsMode": "",
            "Isolation": "",
            "CgroupParent": "",
            "CpusetCpus": "",
            "CpusetMems": "",
            "Mounts": [
              {
                "Type": "volume",
                "Source": "fcs-press-site-erp.example.com",
                "Target": "/home/frappe/frappe-bench/sites/erp.example.com"
              }
            ]
          }
        }
        """;
}
