using Press.Core.Jobs;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Jobs;

internal static class JobStoreExtensions
{
    /// <summary>Claims the next job (none is running in this process) and fails the test when there is none.</summary>
    public static async Task<ClaimedJob> ClaimAsync(this JobStore store, string worker, TimeSpan lease)
    {
        var claim = await store.ClaimNextAsync(worker, lease, [], CancellationToken.None);
        Assert.True(claim is not null, $"{worker} found no job to claim");
        return claim;
    }

    public static Task<ClaimedJob?> TryClaimAsync(this JobStore store, string worker, TimeSpan lease) =>
        store.ClaimNextAsync(worker, lease, [], CancellationToken.None);

    /// <summary>Makes the job's lease run out now by the database's clock, the only clock claimants compare with.</summary>
    public static Task ExpireLeaseAsync(this InfraFixture f, Guid jobId) =>
        f.SuperExecAsync("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = @id", ("id", jobId));

    /// <summary>How long the job's lease still runs, by the database's clock.</summary>
    public static async Task<TimeSpan> LeaseLeftAsync(this InfraFixture f, Guid jobId) =>
        TimeSpan.FromSeconds(await f.SuperScalarAsync<double>(
            "SELECT extract(epoch FROM lease_expires_at - now())::float8 FROM jobs WHERE id = @id", ("id", jobId)));
}
