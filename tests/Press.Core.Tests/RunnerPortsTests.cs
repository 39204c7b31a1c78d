using Press.Core.Runtime;

namespace Press.Core.Tests;

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

    [Theory]
    [InlineData(48600, 1)]
    [InlineData(48601, 2)]
    [InlineData(48650, 51)]
    [InlineData(49699, 1100)]
    public void Each_port_has_its_own_Redis_database_port_minus_48600_plus_1(int port, int database)
    {
        Assert.Equal(database, RunnerPorts.RedisDatabaseFor(port));
    }

    [Theory]
    [InlineData(48599)]
    [InlineData(49700)]
    [InlineData(6379)]
    public void Ports_outside_the_range_have_no_Redis_database(int port)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => RunnerPorts.RedisDatabaseFor(port));
        Assert.Equal("port", ex.ParamName);
    }

    [Fact]
    public void Redis_needs_1101_databases_database_0_for_Press_and_one_per_port()
    {
        Assert.Equal(1101, RunnerPorts.RedisDatabasesNeeded);
        Assert.Equal(RunnerPorts.RedisDatabasesNeeded, RunnerPorts.RedisDatabaseFor(RunnerPorts.Last) + 1);
    }

    [Fact]
    public void No_two_ports_share_a_Redis_database_and_none_uses_Press_database_0()
    {
        var databases = Enumerable.Range(RunnerPorts.First, RunnerPorts.Last - RunnerPorts.First + 1)
            .Select(RunnerPorts.RedisDatabaseFor).ToList();

        Assert.Equal(databases.Count, databases.Distinct().Count());
        Assert.DoesNotContain(0, databases);
        Assert.All(databases, d => Assert.InRange(d, 1, RunnerPorts.RedisDatabasesNeeded - 1));
    }
}
