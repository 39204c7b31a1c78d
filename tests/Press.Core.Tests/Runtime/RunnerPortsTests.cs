using Press.Core.Runtime;

namespace Press.Core.Tests.Runtime;

public sealed class RunnerPortsTests
{
    [Fact]
    public void The_range_is_48600_to_49699_inclusive()
    {
        Assert.Equal(48600, RunnerPorts.First);
        Assert.Equal(49699, RunnerPorts.Last);
        Assert.False(RunnerPorts.Contains(48599));
        Assert.True(RunnerPorts.Contains(48600));
        Assert.True(RunnerPorts.Contains(49699));
        Assert.False(RunnerPorts.Contains(49700));
        Assert.False(RunnerPorts.Contains(0));
    }
}
