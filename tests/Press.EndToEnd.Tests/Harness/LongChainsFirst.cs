using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Press.EndToEnd.Tests.Harness.LongChainsFirst", "Press.EndToEnd.Tests")]

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// Starts the named collections (the site runtimes, the dashboard) before the one-class ones. A named collection runs its
/// classes one after another — the site runtimes' chain is most of the suite's wall time on its own — so it must start
/// at once and never wait behind short classes; the one-class collections then fill the other parallel slots
/// (longest chain first, the usual list-scheduling rule). Within each group xunit's own order is kept.
/// </summary>
public sealed class LongChainsFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => c.CollectionDefinition is null ? 1 : 0);
}
