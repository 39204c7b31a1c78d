using Press.Core.Doctor;
using Press.Core.Ports;
using Press.Infrastructure.ObjectStore;
using Press.Infrastructure.S3;

namespace Press.Infrastructure.Doctor;

/// <summary>statvfs of the file system holding a folder (.NET's DriveInfo takes any path on Unix).</summary>
internal static class Disk
{
    /// <summary>A folder not made yet (the backup folder before the first backup) lands on its nearest existing parent's file system.</summary>
    public static DoctorCheck Check(string name, string what, string folder)
    {
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        var drive = new DriveInfo(existing);
        return DoctorRules.FreeDisk(name, what, folder, drive.AvailableFreeSpace, drive.TotalSize);
    }
}

public sealed class ReservedPortsProbe(DoctorOptions options) : IDoctorProbe
{
    public string Name => DoctorChecks.ReservedPorts;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct) =>
        DoctorRules.ReservedPorts(File.Exists(options.ReservedPortsFile) ? await File.ReadAllTextAsync(options.ReservedPortsFile, ct) : null);
}

public sealed class BackupDiskProbe(S3Options s3, LocalFolderOptions folder) : IDoctorProbe
{
    public string Name => DoctorChecks.BackupDisk;

    public Task<DoctorCheck> RunAsync(CancellationToken ct) => Task.FromResult(
        s3.IsConfigured
            ? DoctorRules.FreeDisk(Name, "the backups", null, null, null, $"not checked: backups go to the S3 bucket {s3.Bucket}, not a local disk; backups stream there without a local copy")
            : Disk.Check(Name, "the backup folder", folder.Folder));
}

/// <summary>Writes, reads back and deletes a small object: reachable is not enough, backups need to write.</summary>
public sealed class ObjectStoreProbe(IObjectStore store, S3Options s3, LocalFolderOptions folder) : IDoctorProbe
{
    public string Name => DoctorChecks.ObjectStore;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var where = s3.IsConfigured ? $"S3 bucket {s3.Bucket} at {s3.ServiceUrl}" : $"folder {folder.Folder}";
        var key = $"press-doctor/probe-{Guid.NewGuid():N}";
        var content = "press doctor probe"u8.ToArray();
        try
        {
            await store.EnsureReadyAsync(ct);
            await store.PutAsync(key, new MemoryStream(content), ct);
            var stat = await store.StatAsync(key, ct);
            if (stat is null || stat.Size != content.Length)
                return DoctorRules.ObjectStore(where, $"a probe object was written but reads back as {(stat is null ? "missing" : $"{stat.Size} bytes")}");
            await store.DeleteAsync(key, ct);
            return DoctorRules.ObjectStore(where, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DoctorRules.ObjectStore(where, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
