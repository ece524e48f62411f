using System.Buffers.Binary;
using System.Text;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>
/// The stored ledger of a <see cref="VectorOutbox"/>: item key → 64-bit fingerprint of what the shards acknowledged
/// (0: sent, or about to be sent, not known to be acknowledged). Stored as a snapshot plus a journal of changes, so a
/// flush writes what it changed, not the whole ledger; the journal is folded into a new snapshot every
/// <see cref="CompactAfterEntries"/> entries.
/// </summary>
/// <remarks>
/// <para>Only the write-ahead records must be durable before the shards may hold a key (<see cref="WriteAheadAsync"/>, done
/// before an upsert of a new key is sent): they make the ledger cover every key a shard
/// may hold, so a delete is never missed after a crash. Acknowledgements (a fingerprint, a removal) are buffered and
/// written with the next durable append or snapshot: one lost in a crash leaves the key at 0 or still listed, so it is
/// sent again (an idempotent upsert or delete), never missed.</para>
/// <para>Journal entry and snapshot share one record format: <c>int32 count</c>, then per record <c>int32 length, UTF-8
/// key, uint64 fingerprint</c>; in the journal a fingerprint of <see cref="ulong.MaxValue"/> removes the key (a real
/// fingerprint is never <see cref="ulong.MaxValue"/>).</para>
/// <para>Not thread-safe: the agent grain uses it from its own turns.</para>
/// </remarks>
public sealed class VectorOutboxLedger
{
    /// <summary>How many journal entries are kept before they are folded into a snapshot.</summary>
    public const int CompactAfterEntries = 64;

    /// <summary>How many buffered acknowledgements are written even without a durable change.</summary>
    public const int MaxBufferedRecords = 1024;

    /// <summary>The fingerprint value that marks a removal in the journal.</summary>
    internal const ulong Removed = ulong.MaxValue;

    private readonly ActorStorage _storage;
    private readonly Dictionary<string, ulong> _entries = new(StringComparer.Ordinal);
    private readonly List<(string Key, ulong Fingerprint)> _buffered = [];
    private long _version;
    private long _lastSequence;
    private int _journalEntries;

    private VectorOutboxLedger(ActorStorage storage) => _storage = storage;

    /// <summary>The keys the shards may hold, with their acknowledged fingerprints (0: not known to be acknowledged).</summary>
    public IReadOnlyDictionary<string, ulong> Entries => _entries;

    /// <summary>How many journal entries follow the stored snapshot.</summary>
    public int JournalEntries => _journalEntries;

    /// <summary>Loads the ledger: the snapshot, then the journal replayed in order.</summary>
    /// <param name="storage">The ledger's storage.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ledger.</returns>
    public static async Task<VectorOutboxLedger> LoadAsync(ActorStorage storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var ledger = new VectorOutboxLedger(storage);
        await ledger.ReloadAsync(cancellationToken);
        return ledger;
    }

    /// <summary>An empty ledger that has not been read from storage (after <see cref="ClearAsync"/>).</summary>
    /// <param name="storage">The ledger's storage.</param>
    /// <returns>The ledger.</returns>
    public static VectorOutboxLedger Empty(ActorStorage storage) => new(storage ?? throw new ArgumentNullException(nameof(storage)));

    /// <summary>Whether the ledger lists <paramref name="key"/>.</summary>
    /// <param name="key">An item key.</param>
    /// <returns><see langword="true"/> when the shards may hold it.</returns>
    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>The acknowledged fingerprint of <paramref name="key"/>.</summary>
    /// <param name="key">An item key.</param>
    /// <param name="fingerprint">Its fingerprint (0: not known to be acknowledged).</param>
    /// <returns>Whether the ledger lists it.</returns>
    public bool TryGet(string key, out ulong fingerprint) => _entries.TryGetValue(key, out fingerprint);

    /// <summary>Records keys about to be sent (fingerprint 0) and stores them, with every buffered acknowledgement,
    /// before returning: after it the ledger covers them even across a crash.</summary>
    /// <param name="keys">The keys the shards may hold from now on.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>A task that completes when the records are durable.</returns>
    public async Task WriteAheadAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            _entries[key] = 0;
            _buffered.Add((key, 0));
        }

        await PersistAsync(cancellationToken);
    }

    /// <summary>Records what the shards acknowledged: the new fingerprints, and the keys they no longer hold. Buffered:
    /// written with the next durable append or snapshot (or once <see cref="MaxBufferedRecords"/> accumulate).</summary>
    /// <param name="upserted">The keys upserted, with the fingerprints of what was sent.</param>
    /// <param name="removed">The keys deleted or forgotten.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task AcknowledgeAsync(IEnumerable<(string Key, ulong Fingerprint)> upserted, IEnumerable<string> removed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upserted);
        ArgumentNullException.ThrowIfNull(removed);
        foreach (var (key, fingerprint) in upserted)
        {
            _entries[key] = fingerprint;
            _buffered.Add((key, fingerprint));
        }

        foreach (var key in removed)
        {
            _entries.Remove(key);
            _buffered.Add((key, Removed));
        }

        if (_buffered.Count >= MaxBufferedRecords)
        {
            await PersistAsync(cancellationToken);
        }
    }

    /// <summary>Stores the buffered acknowledgements (the activation is going away: the next one need not send
    /// again what the shards already hold).</summary>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>A task.</returns>
    public Task SaveAcknowledgementsAsync(CancellationToken cancellationToken) => _buffered.Count == 0 ? Task.CompletedTask : PersistAsync(cancellationToken);

    /// <summary>Removes the stored ledger and empties this one (the shards no longer hold any of the agent's items).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        await _storage.ClearAsync(cancellationToken);
        _entries.Clear();
        _buffered.Clear();
        _version = 0;
        _lastSequence = 0;
        _journalEntries = 0;
    }

    // Appends the buffered records as one journal entry, or folds everything into a snapshot when the journal is long.
    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (_journalEntries + 1 >= CompactAfterEntries)
        {
            await WriteSnapshotAsync(cancellationToken);
            return;
        }

        if (_buffered.Count == 0)
        {
            return;
        }

        _lastSequence = await _storage.AppendAsync([Encode(_buffered)], cancellationToken);
        _buffered.Clear();
        _journalEntries++;
    }

    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        var records = _entries.Select(e => (e.Key, e.Value)).ToList();
        try
        {
            _version = await _storage.WriteSnapshotAsync(Encode(records), _lastSequence, _version, cancellationToken);
            _buffered.Clear();
            _journalEntries = 0;
        }
        catch (ActorStateConflictException)
        {
            // Another activation of the agent wrote the ledger (they overlapped while a silo was declared dead): keep
            // every key it lists too, as sent but unacknowledged, so the ledger still covers what the shards may hold.
            var mine = new Dictionary<string, ulong>(_entries, StringComparer.Ordinal);
            await ReloadAsync(cancellationToken);
            foreach (var key in _entries.Keys.Where(k => !mine.ContainsKey(k)).ToList())
            {
                mine[key] = 0;
            }

            _entries.Clear();
            foreach (var (key, fingerprint) in mine)
            {
                _entries[key] = fingerprint;
            }

            await WriteSnapshotAsync(cancellationToken);
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var state = await _storage.LoadAsync(cancellationToken);
        _entries.Clear();
        _buffered.Clear();
        if (state.Snapshot is { } bytes)
        {
            Decode(bytes.Span, _entries);
        }

        foreach (var entry in state.Journal)
        {
            Decode(entry.Data.Span, _entries);
        }

        _version = state.SnapshotVersion;
        _lastSequence = state.LastSequence;
        _journalEntries = state.Journal.Count;
    }

    private static byte[] Encode(IReadOnlyCollection<(string Key, ulong Fingerprint)> records)
    {
        var size = 4 + records.Sum(e => 12 + Encoding.UTF8.GetByteCount(e.Key));
        var buffer = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, records.Count);
        var position = 4;
        foreach (var (key, fingerprint) in records)
        {
            var length = Encoding.UTF8.GetBytes(key, buffer.AsSpan(position + 4));
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(position), length);
            position += 4 + length;
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(position), fingerprint);
            position += 8;
        }

        return buffer;
    }

    private static void Decode(ReadOnlySpan<byte> span, Dictionary<string, ulong> into)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(span);
        var position = 4;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
            position += 4;
            var key = Encoding.UTF8.GetString(span.Slice(position, length));
            position += length;
            var fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(span[position..]);
            position += 8;
            if (fingerprint == Removed)
            {
                into.Remove(key);
            }
            else
            {
                into[key] = fingerprint;
            }
        }
    }
}
