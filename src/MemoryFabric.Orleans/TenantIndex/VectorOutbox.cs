using MemoryFabric.DenseChanges;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>
/// An agent's durable outbox to its tenant's vector shards. The agent's memory (journal + snapshot) stays the source of
/// truth; the outbox keeps only a <em>ledger</em> (<see cref="VectorOutboxLedger"/>): for every item key the shards may
/// hold, a 64-bit fingerprint of the vector and time they acknowledged (0: sent, not known to be acknowledged). It is a
/// cursor over the agent's state rather than a second copy of its data (dense vectors are not journaled: background
/// embedding computes them after the write, and again after a restart).
/// </summary>
/// <remarks>
/// <para>A flush costs what changed: the memory logs which dense items changed (<see cref="DenseItemChangeLog"/>), and
/// only those are compared with the ledger. The whole memory is compared with the ledger (the full difference) only on
/// the first flush of an activation, after a failed flush, when the memory object was replaced, and on request
/// (<see cref="ResetAsync"/>): what may have changed unlogged is then caught.</para>
/// <para>The ledger is written ahead: a key enters it (fingerprint 0) and is stored before its first upsert is sent,
/// so the ledger always covers what the shards hold and a delete can never be missed after a crash. Upserts are
/// idempotent by key; a failed shipment is sent again (the grain retries with backoff, with the full difference).
/// An item still waiting for its vector keeps its ledger entry (the shards keep the vector they have).</para>
/// <para>The tenant index lists the agent as pending from its first write until it has been clean for a while
/// (<see cref="UnmarkIfCleanAsync"/>, called by the grain after <see cref="TenantIndexOptions.UnmarkAfter"/>), not
/// after every flush: an agent that is written to steadily costs the tenant index no write at all.</para>
/// <para>Called from the agent grain's turns. Should they interleave (a grain call or timer marked so), flushes,
/// resets, purges and the close still take turns on the outbox's own lock.</para>
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
    private Task _lastTurn = Task.CompletedTask; // one flush, reset, purge or close at a time (the grain interleaves its flush timer)
    private VectorOutboxLedger? _ledger;
    private ShardTable? _table;
    private AgentMemory? _tracked;          // the memory whose change log feeds the incremental flushes
    private DenseItemChangeLog? _changes;
    private AgentMemory? _purged;           // the memory of the agent as it was purged: never shipped again
    private bool _fullDifferenceNeeded = true;
    private bool? _marked;  // whether the tenant index lists the agent as pending (null: unknown, after activation)
    private bool _clean;    // the last flush left nothing pending and nothing was written since
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

    /// <summary>What the last flush did.</summary>
    public VectorOutboxFlush LastFlush { get; private set; } = new(false, 0, 0);

    private ITenantIndexGrain Index => _grains.GetGrain<ITenantIndexGrain>(_tenant);

    /// <summary>Tells the tenant index the agent has pending changes (once, until the agent is unmarked after being
    /// clean for a while). The agent calls it before acknowledging a write, so a tenant-wide search that starts after
    /// the acknowledgement flushes this agent first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task MarkPendingAsync(CancellationToken cancellationToken)
    {
        _clean = false;
        if (_marked != true)
        {
            await Index.MarkPendingAsync(_agent, cancellationToken);
            _marked = true;
        }
    }

    /// <summary>Takes the agent off the tenant index's pending list when it is clean: the last flush left nothing
    /// pending and nothing was written or changed since.</summary>
    /// <param name="memory">The agent's memory.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the agent is (now) unmarked.</returns>
    public async Task<bool> UnmarkIfCleanAsync(AgentMemory memory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!_clean || memory.PendingEmbeddingCount > 0 || !ReferenceEquals(memory, _tracked) || _changes is not { Count: 0 })
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

    /// <summary>Ships what is pending: upserts of new or changed vectors, and deletes (or, with
    /// <paramref name="forget"/>, forgets: the shards compact and snapshot so their stored state loses the items) of
    /// keys no longer retrievable; returns once the shards acknowledged them and the write-ahead records are stored.</summary>
    /// <param name="memory">The agent's memory (read on the caller's turn, before the first await).</param>
    /// <param name="forget">Whether the removals are forgets (a turn forgotten, a note deleted or purged).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether nothing is pending afterwards (no item waits for its vector either).</returns>
    public async Task<bool> FlushAsync(AgentMemory memory, bool forget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return await InTurnAsync(() => FlushLockedAsync(memory, forget, cancellationToken));
    }

    private async Task<bool> FlushLockedAsync(AgentMemory memory, bool forget, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(memory, _purged))
        {
            return true; // a flush that waited for the purge, with the purged agent's memory: nothing may go back
        }


        // What may have changed, captured synchronously on the agent's turn: the whole memory, or the logged items.
        var waiting = memory.PendingEmbeddingCount;
        var full = _fullDifferenceNeeded || _ledger is null || !ReferenceEquals(memory, _tracked);
        List<DenseItem>? all = null;
        List<((MemoryItemKind Kind, string Id) Key, DenseItem? Item)>? changed = null;
        if (full)
        {
            _tracked = memory;
            _changes = memory.TrackDenseChanges();
            _changes.Drain();
            all = [.. memory.EnumerateDenseItems()];
        }
        else
        {
            changed = [.. _changes!.Drain().Select(c => (c.Key, memory.FindDenseItem(c.Key.Kind, c.Key.Id, c.Value)))];
        }

        _fullDifferenceNeeded = true; // until this flush succeeds: a failure must not lose the drained changes
        var ledger = _ledger ??= await VectorOutboxLedger.LoadAsync(_storage, cancellationToken);
        var upserts = new List<(VectorShardEntry Entry, ulong Fingerprint)>();
        var deletes = new List<string>();
        if (all is not null)
        {
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in all)
            {
                var key = ShardTable.ItemKey(_agent, item.Kind, item.Id);
                live.Add(key);
                AddIfChanged(item, key, ledger, upserts);
            }

            deletes.AddRange(ledger.Entries.Keys.Where(k => !live.Contains(k)));
        }
        else
        {
            foreach (var ((kind, id), item) in changed!)
            {
                var key = ShardTable.ItemKey(_agent, kind, id);
                if (item is null)
                {
                    if (ledger.Contains(key))
                    {
                        deletes.Add(key);
                    }
                }
                else
                {
                    AddIfChanged(item, key, ledger, upserts);
                }
            }
        }

        Report(upserts.Count + deletes.Count);
        if (upserts.Count > 0 || deletes.Count > 0)
        {
            // Written ahead: the ledger covers every key before any shard may hold it.
            var fresh = upserts.Where(u => !ledger.Contains(u.Entry.Key)).Select(u => u.Entry.Key).ToList();
            if (fresh.Count > 0)
            {
                await ledger.WriteAheadAsync(fresh, cancellationToken);
            }

            await WithCurrentTableAsync(table => ShipAsync(table, upserts, deletes, forget, cancellationToken), cancellationToken);
            await ledger.AcknowledgeAsync(upserts.Select(u => (u.Entry.Key, u.Fingerprint)), deletes, CancellationToken.None);
            _metrics?.Shipped(upserts.Count, "upsert");
            _metrics?.Shipped(deletes.Count, forget ? "forget" : "delete");
            Report(0);
        }

        _fullDifferenceNeeded = false;
        LastFlush = new VectorOutboxFlush(full, upserts.Count, deletes.Count);
        var clean = waiting == 0 && memory.PendingEmbeddingCount == 0 && _changes!.Count == 0;
        if (clean)
        {
            _clean = true;
        }

        return clean;
    }

    // One sequence per shard: its upserts, then its removals. With a forget, every shard touched compacts and snapshots
    // afterwards, so neither a removed vector nor the replaced vector of a redacted item (an episode rewritten without
    // the forgotten turn) stays in its stored state.
    private async Task ShipAsync(ShardTable table, List<(VectorShardEntry Entry, ulong Fingerprint)> upserts, List<string> deletes, bool forget, CancellationToken cancellationToken)
    {
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
    }

    // Runs a shipment with the tenant's shard table; when a shard says it was split since the table was read, reads
    // the table again and runs the whole shipment anew (upserts and removals are idempotent by key).
    private async Task WithCurrentTableAsync(Func<ShardTable, Task> ship, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var table = _table ??= await Index.GetTableAsync(cancellationToken);
            try
            {
                await ship(table);
                return;
            }
            catch (ShardMovedException) when (attempt < 4)
            {
                _table = null;
            }
        }
    }

    /// <summary>Whether the shards acknowledged exactly this vector and time for an item (so the agent may drop its own
    /// copy: <see cref="AgentMemory.OffloadTurnVectors"/>). Only what a flush of this activation or a stored ledger
    /// says; an item sent and not yet acknowledged is not held.</summary>
    /// <param name="kind">The item's kind.</param>
    /// <param name="id">The item's id.</param>
    /// <param name="vector">Its vector.</param>
    /// <param name="timestamp">Its time.</param>
    /// <returns><see langword="true"/> when the shards hold it.</returns>
    public bool Holds(MemoryItemKind kind, string id, float[] vector, DateTimeOffset timestamp) =>
        _ledger is { } ledger && ledger.TryGet(ShardTable.ItemKey(_agent, kind, id), out var acknowledged)
        && acknowledged == Fingerprint(vector, timestamp);

    /// <summary>Forgets what the shards acknowledged (the tenant's shards were cleared for a rebuild): the stored
    /// ledger is removed and the next flush compares the whole memory, so every item is shipped again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await InTurnAsync(async () =>
        {
            _ledger ??= VectorOutboxLedger.Empty(_storage);
            await _ledger.ClearAsync(cancellationToken);
            _fullDifferenceNeeded = true;
            _table = null;
            return true;
        });
    }

    /// <summary>Removes every item of the agent from the tenant's shards, for good (a purged agent), and the ledger.</summary>
    /// <param name="memory">The agent's memory being purged: a flush with it later (one that waited) ships nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the shards and the ledger are clear.</returns>
    public async Task PurgeAsync(AgentMemory memory, CancellationToken cancellationToken)
    {
        _purged = memory ?? throw new ArgumentNullException(nameof(memory));
        await InTurnAsync(async () =>
        {
            await WithCurrentTableAsync(
                table => Task.WhenAll(table.ShardKeys.Select(k => _grains.GetGrain<IVectorShardGrain>(k).ForgetAgentAsync(_agent, cancellationToken))),
                cancellationToken);
            _ledger ??= VectorOutboxLedger.Empty(_storage);
            await _ledger.ClearAsync(cancellationToken);
            _fullDifferenceNeeded = true;
            Report(0);
            await Index.MarkFlushedAsync(_agent, cancellationToken);
            _marked = false;
            return true;
        });
    }

    /// <summary>Takes this outbox's share out of the pending gauge and stores the buffered acknowledgements (the
    /// activation is going away). A failure to store them is ignored: the next activation sends those items again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        Report(0);
        if (_ledger is { } ledger)
        {
            try
            {
                await InTurnAsync(async () =>
                {
                    await ledger.SaveAcknowledgementsAsync(cancellationToken);
                    return true;
                });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Only acknowledgements: the keys are in the ledger, so nothing the shards hold can be missed.
            }
        }
    }

    /// <summary>Whether a change feed holds a forget: turns forgotten, note versions purged, a note deleted.</summary>
    /// <param name="changes">The changes.</param>
    /// <returns><see langword="true"/> when the removals it causes must be forgets.</returns>
    public static bool HoldsForget(IReadOnlyList<Persistence.MemoryChange> changes) =>
        changes.Any(c => c is Persistence.TurnsForgotten or Persistence.NoteVersionsPurged
            || (c is Persistence.NoteVersionWritten written && written.Note.Status == Notes.NoteStatus.Deleted));

    // Runs the body after every earlier one has finished (the grain's turns interleave at awaits, never in parallel).
    private async Task<T> InTurnAsync<T>(Func<Task<T>> body)
    {
        var previous = _lastTurn;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastTurn = done.Task;
        try
        {
            await previous;
            return await body();
        }
        finally
        {
            done.SetResult();
        }
    }

    private void AddIfChanged(DenseItem item, string key, VectorOutboxLedger ledger, List<(VectorShardEntry Entry, ulong Fingerprint)> upserts)
    {
        if (item.Vector is null)
        {
            return; // waits for its vector: the shards keep the one they have, if any
        }

        var fingerprint = Fingerprint(item.Vector, item.Timestamp);
        if (!ledger.TryGet(key, out var acknowledged) || acknowledged != fingerprint)
        {
            upserts.Add((new VectorShardEntry(key, item.Vector, _agent, ShardTable.KindName(item.Kind), item.Timestamp), fingerprint));
        }
    }

    private void Report(long pending)
    {
        _metrics?.PendingChanged(pending - _reported);
        _reported = pending;
    }

    // Survives the snapshot's int8 round trip (DenseVectorFingerprint); never 0 (sent, not acknowledged) nor the removal mark.
    private static ulong Fingerprint(float[] vector, DateTimeOffset timestamp) =>
        DenseVectorFingerprint.Compute(vector, timestamp) is var hash && (hash is 0 or VectorOutboxLedger.Removed) ? 1 : hash;
}

/// <summary>What a <see cref="VectorOutbox.FlushAsync"/> did.</summary>
/// <param name="Full">Whether it compared the whole memory with the ledger (otherwise only the logged changes).</param>
/// <param name="Upserts">How many vectors it upserted.</param>
/// <param name="Removals">How many keys it deleted or forgot.</param>
public sealed record VectorOutboxFlush(bool Full, int Upserts, int Removals);
