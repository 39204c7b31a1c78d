namespace Press.Core.Audit;

/// <summary>An audit entry as stored, with its links; <c>null</c> hashes for entries written before the chain existed.</summary>
public sealed record AuditLink(AuditRecord Record, byte[]? PrevHash, byte[]? Hash);

/// <summary>Where the chain first fails and why.</summary>
public sealed record AuditChainBreak(long Id, string Reason);

/// <summary>The result of walking the whole chain.</summary>
/// <param name="Entries">Entries checked (up to the first break).</param>
/// <param name="LegacyEntries">Entries from before the chain started (migration 0014), covered by the chain start.</param>
/// <param name="HeadId">The newest entry and its hash: keep them outside Press to detect the removal of the newest
/// entries too, which no chain can show by itself.</param>
public sealed record AuditChainReport(bool Intact, long Entries, long LegacyEntries, long? HeadId, string? HeadHash,
    AuditChainBreak? FirstBroken);

/// <summary>
/// Walks the audit log in id order and names the first entry whose links do not hold (docs/architecture.md §14).
/// Entries from before the chain (no hash) must all come first; the first chained entry's <c>prev_hash</c> is the hash
/// the chain would have had over them (from <see cref="AuditChain.Genesis"/>), so they are covered too, though a change
/// among them can only be located to that block. Pure: feed it the entries, read <see cref="Report"/>.
/// </summary>
public sealed class AuditChainVerifier
{
    private byte[] _running = AuditChain.Genesis.ToArray();
    private long _entries;
    private long _legacy;
    private long? _firstLegacyId;
    private long? _lastId;
    private bool _chained;
    private AuditChainBreak? _broken;

    public bool Broken => _broken is not null;

    /// <summary>Checks the next entry; returns false once the chain is broken (stop feeding).</summary>
    public bool Add(AuditLink link)
    {
        if (_broken is not null) return false;
        var id = link.Record.Id;
        _broken = Check(link);
        if (_broken is not null) return false;
        _entries++;
        _lastId = id;
        return true;
    }

    private AuditChainBreak? Check(AuditLink link)
    {
        var id = link.Record.Id;
        if (link.Hash is null || link.PrevHash is null)
        {
            if (_chained)
                return new(id, $"entry {id} has no hash but comes after chained entries: it was written around Press's audit log, or its hash was removed.");
            _firstLegacyId ??= id;
            _legacy++;
            _running = AuditChain.Hash(_running, link.Record);
            return null;
        }
        if (!link.PrevHash.AsSpan().SequenceEqual(_running))
            return new(id, !_chained && _legacy > 0
                ? $"entry {id} starts the chain, but the entries before it (ids {_firstLegacyId}–{_lastId}, written before the chain existed) no longer hash to its prev_hash: one of them was changed or removed, or entry {id}'s prev_hash was."
                : _chained
                    ? $"entry {id}'s prev_hash is not the hash of entry {_lastId}: an entry between them was removed, or entry {_lastId} was rewritten with a new hash."
                    : $"entry {id} starts the chain but its prev_hash is not the genesis value: entries before it were removed.");
        var expected = AuditChain.Hash(link.PrevHash, link.Record);
        if (!link.Hash.AsSpan().SequenceEqual(expected))
            return new(id, $"entry {id} was changed after it was written: its content no longer hashes to its stored hash.");
        _chained = true;
        _running = link.Hash;
        return null;
    }

    public AuditChainReport Report => new(_broken is null, _entries, _legacy, _lastId,
        _lastId is null ? null : AuditChain.Hex(_running), _broken);
}
