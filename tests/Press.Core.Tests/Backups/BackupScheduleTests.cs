using Press.Core.Backups;
using Press.Core.Backups.Steps;

namespace Press.Core.Tests.Backups;

public sealed class BackupScheduleTests
{
    private static readonly Guid Site = Guid.Parse("01a21c19-597b-7b25-9aa7-3ca1751667f5");

    [Theory]
    [InlineData("0 2 * * *")]
    [InlineData("30 1 * * 1-5")]
    [InlineData("*/15 * * * *")]
    public void Standard_cron_expressions_are_accepted(string cron) => Assert.Null(BackupSchedule.Problem(cron));

    [Theory]
    [InlineData("daily")]
    [InlineData("0 2 * *")]
    [InlineData("0 0 2 * * *")]
    [InlineData("61 2 * * *")]
    public void Anything_else_is_refused_with_an_example(string cron) =>
        Assert.Contains("'0 2 * * *'", BackupSchedule.Problem(cron));

    [Fact]
    public void The_offset_is_stable_and_inside_the_spread_window()
    {
        var offset = BackupSchedule.Offset(Site, 120);
        Assert.Equal(offset, BackupSchedule.Offset(Site, 120));
        Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromMinutes(120));
        Assert.Equal(TimeSpan.Zero, BackupSchedule.Offset(Site, 0));
    }

    [Fact]
    public void A_site_is_due_once_per_occurrence_and_never_for_a_time_before_it_existed()
    {
        var offset = BackupSchedule.Offset(Site, 120);
        var due = new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero) + offset;
        var created = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        Assert.False(BackupSchedule.IsDue("0 2 * * *", Site, 120, due - TimeSpan.FromSeconds(1), created, due.AddDays(-1)));
        Assert.True(BackupSchedule.IsDue("0 2 * * *", Site, 120, due, created, due.AddDays(-1)));
        Assert.False(BackupSchedule.IsDue("0 2 * * *", Site, 120, due.AddHours(3), created, due.AddMinutes(1)));
        Assert.False(BackupSchedule.IsDue("0 2 * * *", Site, 120, due.AddHours(1), due.AddMinutes(30), null));
    }

    [Fact]
    public void Row_count_differences_are_named_table_by_table()
    {
        var expected = new Dictionary<string, long> { ["tabA"] = 10, ["tabB"] = 5 };
        Assert.Null(BackupContext.CountMismatch(expected, new Dictionary<string, long> { ["tabA"] = 10, ["tabB"] = 5 }));
        var problem = BackupContext.CountMismatch(expected, new Dictionary<string, long> { ["tabA"] = 9, ["tabC"] = 1 });
        Assert.Contains("tabA: 9 rows, manifest says 10", problem);
        Assert.Contains("table tabB missing", problem);
        Assert.Contains("unexpected table tabC", problem);
    }

    [Fact]
    public void Restore_names_stay_inside_PostgreSQL_identifier_limits()
    {
        var id = RestoreNames.RestoreId(Guid.CreateVersion7());
        Assert.Equal(12, id.Length);
        Assert.True(RestoreNames.PreviousSchema("t_abcdefghijklmnopqrst", id).Length <= 63);
        Assert.NotEqual(RestoreNames.FreshSchema("t_x", id), RestoreNames.PreviousSchema("t_x", id));
    }
}
