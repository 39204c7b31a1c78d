using Press.Core.Jobs;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>
/// The swap and unswap plans, exactly, and run against a model of the site folder that is cut off after every single
/// operation: the next run always finishes the job. No files, no driver.
/// </summary>
public sealed class FileSwapTests
{
    private const string Id = "r-2026-11-27";

    private static readonly AreaState BeforeSwap = new(Live: true, Staged: true, Previous: false);
    private static readonly AreaState HalfWay = new(Live: false, Staged: true, Previous: true);
    private static readonly AreaState Swapped = new(Live: true, Staged: false, Previous: true);

    [Fact]
    public void The_paths_and_the_probe_order_are_three_per_area_live_staged_previous()
    {
        Assert.Equal(
        [
            "public/files", $".press-restore/{Id}/staged/public/files", $".press-restore/{Id}/previous/public/files",
            "private/files", $".press-restore/{Id}/staged/private/files", $".press-restore/{Id}/previous/private/files",
        ], FileSwap.ProbePaths(Id));
        Assert.Equal([BeforeSwap, Swapped], FileSwap.States([true, true, false, true, false, true]));
        Assert.Throws<ArgumentException>(() => FileSwap.States([true, true]));
    }

    [Fact]
    public void A_swap_keeps_the_live_folder_as_previous_then_puts_the_staged_one_live()
    {
        var plan = FileSwap.Swap(Id, "public", BeforeSwap);

        Assert.Equal(
        [
            new FileOp.Move("public/files", $".press-restore/{Id}/previous/public/files"),
            new FileOp.Move($".press-restore/{Id}/staged/public/files", "public/files"),
        ], plan.Ops);
        Assert.Equal("public/files swapped", plan.Outcome);
    }

    [Fact]
    public void A_swap_of_a_site_without_the_live_folder_keeps_an_empty_previous_one()
    {
        var plan = FileSwap.Swap(Id, "private", new AreaState(Live: false, Staged: true, Previous: false));

        Assert.Equal(
        [
            new FileOp.CreateFolder($".press-restore/{Id}/previous/private/files"),
            new FileOp.Move($".press-restore/{Id}/staged/private/files", "private/files"),
        ], plan.Ops);
    }

    [Fact]
    public void A_swap_half_way_is_finished_and_a_done_one_is_left_alone()
    {
        Assert.Equal([new FileOp.Move($".press-restore/{Id}/staged/public/files", "public/files")], FileSwap.Swap(Id, "public", HalfWay).Ops);
        Assert.Equal("public/files swapped (finished an interrupted swap)", FileSwap.Swap(Id, "public", HalfWay).Outcome);

        var again = FileSwap.Swap(Id, "public", Swapped);
        Assert.Empty(again.Ops);
        Assert.Equal("public/files already swapped", again.Outcome);
    }

    [Fact]
    public void An_unswap_is_the_exact_reverse_and_nothing_swapped_is_done_saying_so()
    {
        Assert.Equal(
        [
            new FileOp.Move("public/files", $".press-restore/{Id}/staged/public/files"),
            new FileOp.Move($".press-restore/{Id}/previous/public/files", "public/files"),
        ], FileSwap.Unswap(Id, "public", Swapped).Ops);
        Assert.Equal([new FileOp.Move($".press-restore/{Id}/previous/public/files", "public/files")], FileSwap.Unswap(Id, "public", HalfWay).Ops);

        var notSwapped = FileSwap.Unswap(Id, "public", BeforeSwap);
        Assert.Empty(notSwapped.Ops);
        Assert.Equal("public/files not swapped", notSwapped.Outcome);
        Assert.Empty(FileSwap.Unswap(Id, "public", new AreaState(true, false, false)).Ops);
    }

    [Fact]
    public void A_swap_with_nothing_staged_fails_saying_to_stage_first()
    {
        var ex = Assert.Throws<StepFailedException>(() => FileSwap.Swap(Id, "public", new AreaState(Live: true, Staged: false, Previous: false)));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Equal($"restore {Id} has nothing staged for public/files (.press-restore/{Id}/staged/public/files does not exist): stage the files first", ex.Message);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    public void States_no_swap_leaves_are_refused_by_both_directions(bool live, bool staged, bool previous)
    {
        var state = new AreaState(live, staged, previous);
        foreach (var plan in new Func<AreaPlan>[] { () => FileSwap.Swap(Id, "private", state), () => FileSwap.Unswap(Id, "private", state) })
        {
            var ex = Assert.Throws<StepFailedException>(plan);
            Assert.Equal(FailureKind.Permanent, ex.Kind);
            Assert.StartsWith($"restore {Id}: private/files is in no state a swap leaves (live: {(live ? "yes" : "no")}, staged: {(staged ? "yes" : "no")}, previous: yes)", ex.Message);
        }
    }

    [Fact]
    public void Discarding_is_refused_only_half_way_through_a_swap()
    {
        FileSwap.EnsureDiscardable(Id, "public", BeforeSwap);
        FileSwap.EnsureDiscardable(Id, "public", Swapped);
        FileSwap.EnsureDiscardable(Id, "public", new AreaState(false, false, false));
        var ex = Assert.Throws<StepFailedException>(() => FileSwap.EnsureDiscardable(Id, "public", HalfWay));
        Assert.Contains("half-way through a swap of public/files", ex.Message);
        Assert.Contains("run the swap or the unswap again", ex.Message);
    }

    [Fact]
    public void A_swap_cut_off_after_any_operation_is_finished_by_the_next_run()
    {
        var start = new Folder { ["public/files"] = "live", [Staged("public")] = "backup", ["private/files"] = "live-private", [Staged("private")] = "backup-private" };
        var swapped = new Folder { ["public/files"] = "backup", [Previous("public")] = "live", ["private/files"] = "backup-private", [Previous("private")] = "live-private" };

        var ops = Plan(start, FileSwap.Swap).Ops;
        Assert.Equal(4, ops.Count);
        for (var cut = 0; cut <= ops.Count; cut++)
        {
            var folder = start.Clone();
            folder.Apply(ops.Take(cut));
            folder.Apply(Plan(folder, FileSwap.Swap).Ops);
            Assert.Equal(swapped.Describe(), folder.Describe());
            Assert.Empty(Plan(folder, FileSwap.Swap).Ops); // and once more: nothing left to do
        }

        var back = Plan(swapped, FileSwap.Unswap).Ops;
        for (var cut = 0; cut <= back.Count; cut++)
        {
            var folder = swapped.Clone();
            folder.Apply(back.Take(cut));
            folder.Apply(Plan(folder, FileSwap.Unswap).Ops);
            Assert.Equal(start.Describe(), folder.Describe());
            Assert.Empty(Plan(folder, FileSwap.Unswap).Ops);
        }
    }

    [Fact]
    public void A_site_without_live_folders_gets_empty_ones_back_on_unswap()
    {
        var start = new Folder { [Staged("public")] = "backup", [Staged("private")] = "backup-private" };
        var folder = start.Clone();
        folder.Apply(Plan(folder, FileSwap.Swap).Ops);
        Assert.Equal(new Folder
        {
            ["public/files"] = "backup", [Previous("public")] = "(empty)", ["private/files"] = "backup-private", [Previous("private")] = "(empty)",
        }.Describe(), folder.Describe());

        folder.Apply(Plan(folder, FileSwap.Unswap).Ops);
        Assert.Equal(new Folder
        {
            ["public/files"] = "(empty)", [Staged("public")] = "backup", ["private/files"] = "(empty)", [Staged("private")] = "backup-private",
        }.Describe(), folder.Describe());
    }

    private static string Staged(string area) => $".press-restore/{Id}/staged/{area}/files";
    private static string Previous(string area) => $".press-restore/{Id}/previous/{area}/files";

    private static (IReadOnlyList<FileOp> Ops, string Summary) Plan(Folder folder, Func<string, string, AreaState, AreaPlan> plan)
    {
        var states = FileSwap.States(FileSwap.ProbePaths(Id).Select(folder.ContainsKey).ToList());
        return FileSwap.Combine(RestoreLayout.Areas.Zip(states).Select(p => plan(Id, p.First, p.Second)).ToList());
    }

    /// <summary>The tracked folders of a site folder and what each holds; moves refuse what a rename(2) would.</summary>
    private sealed class Folder : Dictionary<string, string>
    {
        public Folder Clone()
        {
            var copy = new Folder();
            foreach (var (k, v) in this) copy[k] = v;
            return copy;
        }

        public void Apply(IEnumerable<FileOp> ops)
        {
            foreach (var op in ops)
            {
                switch (op)
                {
                    case FileOp.Move(var from, var to):
                        Assert.True(ContainsKey(from), $"move from missing {from}");
                        Assert.False(ContainsKey(to), $"move onto existing {to}");
                        this[to] = this[from];
                        Remove(from);
                        break;
                    case FileOp.CreateFolder(var path):
                        TryAdd(path, "(empty)");
                        break;
                }
            }
        }

        public string Describe() => string.Join("\n", this.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} = {p.Value}"));
    }
}
