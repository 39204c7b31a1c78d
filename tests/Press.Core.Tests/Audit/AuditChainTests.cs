using Press.Core.Audit;

namespace Press.Core.Tests.Audit;

/// <summary>The chain's canonical encoding and its verifier (docs/architecture.md §14), as pure functions.</summary>
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 11, 0, 0, TimeSpan.Zero);

    private static AuditRecord Entry(long id, string actor = "alice", string? details = """{"value": "7", "previous": "30"}""") =>
        new(id, At.AddTicks(1_234_567), actor, "settings.set", null, "backups.retentionDays", details, "198.51.100.4");

    [Fact]
    public void The_hash_is_SHA256_of_the_documented_encoding()
    {
        // Computed independently (Python: struct.pack('>i'/'>q') length-prefixed fields, hashlib.sha256) from the
        // encoding written in AuditChain's summary; the tick 7 past the microsecond is dropped as PostgreSQL drops it.
        Assert.Equal("166a2909e90f16b244897159924fe2a397784fc3456917e52a6827ba4be08bee",
            AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, Entry(42))));
    }

    [Fact]
    public void Key_order_and_spacing_of_the_details_do_not_change_the_hash_but_any_value_does()
    {
        var h = AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, Entry(1)));
        Assert.Equal(h, AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, Entry(1, details: """{"previous":"30","value":"7"}"""))));
        Assert.NotEqual(h, AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, Entry(1, details: """{"previous":"30","value":"8"}"""))));
        Assert.NotEqual(h, AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, Entry(2))));
        Assert.NotEqual(h, AuditChain.Hex(AuditChain.Hash(new byte[32] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, Entry(1))));
    }

    [Fact]
    public void Length_prefixes_keep_shifted_field_boundaries_apart()
    {
        var a = new AuditRecord(1, At, "ab", "c", null, null, null, null);
        var b = new AuditRecord(1, At, "a", "bc", null, null, null, null);
        var empty = new AuditRecord(1, At, "a", "bc", "", null, null, null);
        Assert.NotEqual(AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, a)), AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, b)));
        Assert.NotEqual(AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, b)), AuditChain.Hex(AuditChain.Hash(AuditChain.Genesis.Span, empty)));
    }

    private static List<AuditLink> Chain(int count, int legacy = 0)
    {
        var links = new List<AuditLink>();
        var prev = AuditChain.Genesis.ToArray();
        for (var i = 1; i <= count; i++)
        {
            var e = Entry(i, actor: $"user{i}");
            var hash = AuditChain.Hash(prev, e);
            links.Add(i <= legacy ? new AuditLink(e, null, null) : new AuditLink(e, prev, hash));
            prev = hash;
        }
        return links;
    }

    private static AuditChainReport Verify(IEnumerable<AuditLink> links)
    {
        var v = new AuditChainVerifier();
        foreach (var l in links) if (!v.Add(l)) break;
        return v.Report;
    }

    [Fact]
    public void An_intact_chain_reports_its_head()
    {
        var links = Chain(3);
        Assert.Equal(new AuditChainReport(true, 3, 0, 3, AuditChain.Hex(links[2].Hash), null), Verify(links));
        Assert.Equal(new AuditChainReport(true, 0, 0, null, null, null), Verify([]));
    }

    [Fact]
    public void A_changed_entry_is_named()
    {
        var links = Chain(4);
        links[2] = links[2] with { Record = links[2].Record with { Target = "other" } };
        var report = Verify(links);
        Assert.False(report.Intact);
        Assert.Equal(3, report.FirstBroken!.Id);
        Assert.Equal(2, report.Entries);
    }

    [Fact]
    public void A_removed_entry_is_named_by_the_one_after_it_and_a_removed_first_entry_too()
    {
        var links = Chain(4);
        links.RemoveAt(1);
        Assert.Equal(3, Verify(links).FirstBroken!.Id);
        Assert.Contains("is not the hash of entry 1", Verify(links).FirstBroken!.Reason);

        var headless = Chain(3).Skip(1);
        Assert.Contains("not the genesis value", Verify(headless).FirstBroken!.Reason);
    }

    [Fact]
    public void Legacy_entries_are_covered_by_the_chain_start_and_must_come_first()
    {
        var links = Chain(4, legacy: 2);
        var ok = Verify(links);
        Assert.True(ok.Intact);
        Assert.Equal(2, ok.LegacyEntries);

        var changed = Chain(4, legacy: 2);
        changed[0] = changed[0] with { Record = changed[0].Record with { Actor = "mallory" } };
        var report = Verify(changed);
        Assert.Equal(3, report.FirstBroken!.Id);
        Assert.Contains("ids 1–2, written before the chain existed", report.FirstBroken.Reason);

        var late = Chain(3);
        late.Add(new AuditLink(Entry(4), null, null));
        Assert.Equal(4, Verify(late).FirstBroken!.Id);
    }
}
