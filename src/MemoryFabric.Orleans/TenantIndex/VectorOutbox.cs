using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>
/// An agent's durable outbox to its tenant's vector shards. The agent's memory (journal + snapshot) stays the source of
/// truth; the outbox keeps only a <em>ledger</em>: for every item key the shards may hold, a 64-bit fingerprint of the
/// vector and time they acknowledged (0: sent, not yet acknowledged). What is pending is the difference between the
/// memory's dense items (<see cref="AgentMemory.EnumerateDenseItems"/>) and the ledger: new or changed vectors to upsert,
/// keys no longer retrievable to delete. It is a cursor over the agent's state rather than a second copy of its data
/// (dense vectors are not journaled: background embedding computes them after the write, and again after a restart).
/// </summary>
/// <remarks>
/// <para>The ledger is written ahead: a key enters it (fingerprint 0) and is stored before its first upsert is sent,
/// so the ledger always covers what the shards hold and a delete can never be missed after a crash. Upserts are
/// idempotent by key; a failed shipment leaves the ledger as it was and is sent again (the grain retries with backoff,
/// and after a reactivation the difference is computed afresh). An item still waiting for its vector keeps its ledger
/// entry (the shards keep the vector they have).</para>
/// <para>Not thread-safe: the agent grain calls it from its own turns.</para>
/// </remarks>
public sealed class VectorOutbox
{
    /// <summary>The record type of the ledger in the <see cref="IActorStateStore"/> (key: the agent's key).</summary>
    public const string TypeName = "agent-vector-outbox";

    private const int UpsertBatch = 256;

    private readonly IGrainFactory _grains;
    private readonly ActorStorage _storage;
    private readonly string _tenant;
    private readonly string _agent;
    private readonly TenantIndexMetrics? _metrics;
    private Dictionary<string, ulong>? _ledger;
    private long _ledgerVersion;
    private ShardTable? _table;
    private bool? _marked;  // whether the tenant index lists the agent as pending (null: unknown, after activation)
    private long _reported; // what this outbox added to the pending gauge

    /// <summary>Creates the outbox of agent <c>{tenant}/{agent}</c>.</summary>
    /// <param name="grains">Reaches the tenant index and the shards.</param>
    /// <param name="store">Where the ledger lives.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="agent">The agent's name.</param>
    /// <param name="metrics">The instruments, or none.</param>
    public VectorOutbox(IGrainFactory grains, IActorStateStore store, string tenant, string agent, TenantIndexMetrics? metrics)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        ArgumentNullException.ThrowIfNull(store);
        _tenant = tenant ?? throw new ArgumentNullException(nameof(tenant));
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _metrics = metrics;
        _storage = new ActorStorage(store, new ActorId(TypeName, tenant + "/" + agent));
    }

    /// <summary>Items found pending at the last flush and not acknowledged since.</summary>
    public long Pending => _reported;

    private ITenantIndexGrain Index => _grains.GetGrain<ITenantIndexGrain>(_tenant);

    /// <summary>Tells the tenant index the agent has pending changes (once, until a flush leaves nothing pending).
    /// The agent calls it before acknowledging a write, so a tenant-wide search that starts after the acknowledgement
    /// flushes this agent first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task MarkPendingAsync(CancellationToken cancellationToken)
    {
        if (_marked != true)
        {
            await Index.MarkPendingAsync(_agent, cancellationToken);
            _marked = true;
        }
    }

    /// <summary>Ships what is pending: upserts of new or changed vectors, and deletes (or, with
    /// <paramref name="forget"/>, forgets: the shards compact and snapshot so their stored state loses the items) of
    /// keys no longer retrievable; returns once the shards acknowledged them and the ledger is stored.</summary>
    /// <param name="memory">The agent's memory (read on the caller's turn, before the first await).</param>
    /// <param name="forget">Whether the removals are forgets (a turn forgotten, a note deleted or purged).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether nothing is pending afterwards (no item waits for its vector either); the tenant index has then
    /// been told.</returns>
    public async Task<bool> FlushAsync(AgentMemory memory, bool forget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);

        // The difference, computed synchronously on the agent's turn.
        var ledger = _ledger;
        var upserts = new List<(VectorShardEntry Entry, ulong Fingerprint)>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        var waiting = memory.PendingEmbeddingCount;
        List<DenseItem>? snapshot = null;
        if (ledger is null)
        {
            snapshot = [.. memory.EnumerateDenseItems()]; // the ledger is loaded after an await: capture the items now
        }

        ledger ??= await LoadLedgerAsync(cancellationToken);
        foreach (var item in snapshot ?? memory.EnumerateDenseItems())
        {
            var key = ShardTable.ItemKey(_agent, item.Kind, item.Id);
            live.Add(key);
            if (item.Vector is null)
            {
                continue; // waits for its vector: the shards keep the one they have, if any
            }

            var fingerprint = Fingerprint(item.Vector, item.Timestamp);
            if (!ledger.TryGetValue(key, out var acknowledged) || acknowledged != fingerprint)
            {
                upserts.Add((new VectorShardEntry(key, item.Vector, _agent, ShardTable.KindName(item.Kind), item.Timestamp), fingerprint));
            }
        }

        var deletes = ledger.Keys.Where(k => !live.Contains(k)).ToList();
        Report(upserts.Count + deletes.Count);
        if (upserts.Count > 0 || deletes.Count > 0)
        {
            var table = _table ??= await Index.GetTableAsync(cancellationToken);

            // Written ahead: the ledger covers every key before any shard may hold it.
            var fresh = upserts.Where(u => !ledger.ContainsKey(u.Entry.Key)).ToList();
            if (fresh.Count > 0)
            {
                foreach (var (entry, _) in fresh)
                {
                    ledger[entry.Key] = 0;
                }

                await SaveLedgerAsync(ledger, cancellationToken);
            }

            // One sequence per shard: its upserts, then its removals. With a forget, every shard touched compacts and
            // snapshots afterwards, so neither a removed vector nor the replaced vector of a redacted item (an
            // episode rewritten without the forgotten turn) stays in its stored state.
            var upsertsByShard = upserts.ToLookup(u => table.ShardOf(u.Entry.Key));
            var deletesByShard = deletes.ToLookup(table.ShardOf);
            await Task.WhenAll(upsertsByShard.Select(g => g.Key).Union(deletesByShard.Select(g => g.Key)).Select(async n =>
            {
                var shard = _grains.GetGrain<IVectorShardGrain>(table.ShardKey(n));
                foreach (var chunk in upsertsByShard[n].Chunk(UpsertBatch))
                {
                    await shard.UpsertAsync([.. chunk.Select(c => c.Entry)], cancellationToken);
                }

                var removed = deletesByShard[n].ToList();
                if (forget)
                {
                    await shard.ForgetAsync(removed, cancellationToken);
                }
                else if (removed.Count > 0)
                {
                    await shard.DeleteAsync(removed, cancellationToken);
                }
            }));
            foreach (var (entry, fingerprint) in upserts)
            {
                ledger[entry.Key] = fingerprint;
            }

            foreach (var key in deletes)
            {
                ledger.Remove(key);
            }

            await SaveLedgerAsync(ledger, CancellationToken.None);
            _metrics?.Shipped(upserts.Count, "upsert");
            _metrics?.Shipped(deletes.Count, forget ? "forget" : "delete");
            Report(0);
        }

        if (waiting > 0 || memory.PendingEmbeddingCount > 0)
        {
            return false;
        }

        if (_marked != false)
        {
            await Index.MarkFlushedAsync(_agent, cancellationToken);
            _marked = false;
        }

        return true;
    }

    /// <summary>Removes every item of the agent from the tenant's shards, for good (a purged agent), and the ledger.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the shards and the ledger are clear.</returns>
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var table = _table ??= await Index.GetTableAsync(cancellationToken);
        await Task.WhenAll(table.ShardKeys.Select(k => _grains.GetGrain<IVectorShardGrain>(k).ForgetAgentAsync(_agent, cancellationToken)));
        await _storage.ClearAsync(cancellationToken);
        _ledger = new Dictionary<string, ulong>(StringComparer.Ordinal);
        _ledgerVersion = 0;
        Report(0);
        await Index.MarkFlushedAsync(_agent, cancellationToken);
        _marked = false;
    }

    /// <summary>Takes this outbox's share out of the pending gauge (the activation is going away).</summary>
    public void Close() => Report(0);

    /// <summary>Whether a change feed holds a forget: turns forgotten, note versions purged, a note deleted.</summary>
    /// <param name="changes">The changes.</param>
    /// <returns><see langword="true"/> when the removals it causes must be forgets.</returns>
    public static bool HoldsForget(IReadOnlyList<Persistence.MemoryChange> changes) =>
        changes.Any(c => c is Persistence.TurnsForgotten or Persistence.NoteVersionsPurged
            || (c is Persistence.NoteVersionWritten written && written.Note.Status == Notes.NoteStatus.Deleted));

    private void Report(long pending)
    {
        _metrics?.PendingChanged(pending - _reported);
        _reported = pending;
    }

    private async Task<Dictionary<string, ulong>> LoadLedgerAsync(CancellationToken cancellationToken) => _ledger ??= await ReadLedgerAsync(cancellationToken);

    private async Task<Dictionary<string, ulong>> ReadLedgerAsync(CancellationToken cancellationToken)
    {
        var state = await _storage.LoadAsync(cancellationToken);
        var ledger = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (state.Snapshot is { } bytes)
        {
            var span = bytes.Span;
            var count = BinaryPrimitives.ReadInt32LittleEndian(span);
            var position = 4;
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
                position += 4;
                var key = Encoding.UTF8.GetString(span.Slice(position, length));
                position += length;
                ledger[key] = BinaryPrimitives.ReadUInt64LittleEndian(span[position..]);
                position += 8;
            }
        }

        _ledgerVersion = state.SnapshotVersion;
        return ledger;
    }

    private async Task SaveLedgerAsync(Dictionary<string, ulong> ledger, CancellationToken cancellationToken)
    {
        var size = 4 + ledger.Sum(e => 12 + Encoding.UTF8.GetByteCount(e.Key));
        var buffer = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, ledger.Count);
        var position = 4;
        foreach (var (key, fingerprint) in ledger)
        {
            var length = Encoding.UTF8.GetBytes(key, buffer.AsSpan(position + 4));
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(position), length);
            position += 4 + length;
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(position), fingerprint);
            position += 8;
        }

        try
        {
            _ledgerVersion = await _storage.WriteSnapshotAsync(buffer, 0, _ledgerVersion, cancellationToken);
        }
        catch (ActorStateConflictException)
        {
            // Another activation of the agent wrote the ledger (they overlapped while a silo was declared dead): keep
            // every key it lists too, as sent but unacknowledged, so the ledger still covers what the shards may hold.
            var stored = await ReadLedgerAsync(cancellationToken);
            foreach (var key in stored.Keys)
            {
                ledger.TryAdd(key, 0);
            }

            await SaveLedgerAsync(ledger, cancellationToken);
        }
    }

    // 64-bit FNV-1a over the vector's bits and the time; never 0 (0 marks a key sent but not acknowledged).
    private static ulong Fingerprint(float[] vector, DateTimeOffset timestamp)
    {
        var hash = 14695981039346656037UL;
        foreach (var word in MemoryMarshal.Cast<float, uint>(vector))
        {
            hash = (hash ^ word) * 1099511628211UL;
        }

        hash = (hash ^ (ulong)timestamp.UtcTicks) * 1099511628211UL;
        return hash == 0 ? 1 : hash;
    }
}
