using System.Buffers.Binary;
using System.Text;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.VectorIndex;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;

namespace MemoryFabric.Orleans.VectorShards;

/// <summary>One shard of an approximate nearest-neighbour index as a grain (key: the shard name, e.g.
/// <c>tenant/shard-3</c>): an HNSW <see cref="VectorShard"/> (MemoryFabric.VectorIndex) in the activation, its
/// changes journaled before they are acknowledged and compacted into the shard's own snapshot format
/// (<c>*.mfvs</c>) in grain storage. The caller routes keys to shards and merges the hits of several shards.</summary>
/// <remarks>Reads (searches, counts, statistics, key pages) interleave with the other calls: they run between the steps
/// of a write that waits for storage, or of a split's copy step waiting for the halves, instead of queueing behind them
/// (the activation still runs one step at a time, so a read sees a write either whole or not at all).</remarks>
[Alias("memoryfabric.vectorshard")]
public interface IVectorShardGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces items (durable when the task completes). The first write fixes the dimensions.</summary>
    /// <param name="items">The items.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>The number of live items afterwards.</returns>
    [Alias("upsert")]
    Task<int> UpsertAsync(IReadOnlyList<VectorShardEntry> items, CancellationToken cancellationToken = default);

    /// <summary>Removes items (durable when the task completes).</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>How many were removed.</returns>
    [Alias("delete")]
    Task<int> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>The k nearest items to a query (exact scores, best first), optionally filtered.</summary>
    /// <param name="query">The query vector.</param>
    /// <param name="k">How many.</param>
    /// <param name="filter">Agents, kinds and a time range, or none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits.</returns>
    [Alias("search")]
    [AlwaysInterleave]
    Task<IReadOnlyList<VectorShardHit>> SearchAsync(float[] query, int k, VectorShardFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>The k nearest items to a query with an explicit HNSW candidate-list size (recall against speed).</summary>
    /// <param name="query">The query vector.</param>
    /// <param name="k">How many.</param>
    /// <param name="efSearch">The candidate-list size (at least k is used).</param>
    /// <param name="filter">Agents, kinds and a time range, or none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits.</returns>
    [Alias("search-ef")]
    [AlwaysInterleave]
    Task<IReadOnlyList<VectorShardHit>> SearchAsync(float[] query, int k, int efSearch, VectorShardFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>The number of live items.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    [Alias("count")]
    [AlwaysInterleave]
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>The shard's size: items, tombstones, the memory its index holds and its storage.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics.</returns>
    [Alias("statistics")]
    [AlwaysInterleave]
    Task<VectorShardGrainStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes items for good: besides the delete, the shard is compacted (no tombstone keeps their vectors)
    /// and snapshotted, so its stored snapshot and journal no longer hold them, and the store wipes what was deleted
    /// from its files. Durable when the task completes.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>How many were removed.</returns>
    [Alias("forget")]
    Task<int> ForgetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Removes every item of an agent for good, as <see cref="ForgetAsync"/> does.</summary>
    /// <param name="agentId">The agent (the items' <see cref="VectorShardEntry.AgentId"/>).</param>
    /// <param name="cancellationToken">Cancels the call before anything is stored.</param>
    /// <returns>How many were removed.</returns>
    [Alias("forget-agent")]
    Task<int> ForgetAgentAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>A page of the live items' keys, in ordinal order.</summary>
    /// <param name="after">The last key of the previous page, or none for the first page.</param>
    /// <param name="max">The page's size (1 to 10,000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys; fewer than <paramref name="max"/> on the last page.</returns>
    [Alias("keys")]
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListKeysAsync(string? after, int max, CancellationToken cancellationToken = default);

    /// <summary>Starts a split of this shard into two new shards (durable when the task completes): from now on every
    /// change is applied here and forwarded to the half its key routes to, before it is acknowledged. Calling it again
    /// with the same split does nothing.</summary>
    /// <param name="split">The halves.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidOperationException">Another split is under way, or the shard is retired.</exception>
    [Alias("split-begin")]
    Task BeginSplitAsync(VectorShardSplit split, CancellationToken cancellationToken = default);

    /// <summary>Copies the next items (in ordinal key order, after <paramref name="after"/>) to the halves of the split
    /// under way, and returns once they acknowledged them. Changes made meanwhile are forwarded, so the halves hold
    /// every item once the copy has gone through all keys.</summary>
    /// <param name="after">The last key the previous call copied, or none to start.</param>
    /// <param name="max">How many items at most (1 to 10,000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where the copy is (<see cref="VectorShardCopyStep.Next"/> is <see langword="null"/> when every key has
    /// been copied).</returns>
    [Alias("split-copy")]
    Task<VectorShardCopyStep> CopySplitAsync(string? after, int max, CancellationToken cancellationToken = default);

    /// <summary>Retires the shard after its split (call it once the tenant's table names the halves): its items and
    /// stored state are removed; from then on it refuses changes (<see cref="ShardMovedException"/>: the caller's table
    /// is out of date) and answers searches through the halves.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    [Alias("split-finish")]
    Task FinishSplitAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the whole shard, stored state included, for good (a deleted tenant).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    [Alias("clear")]
    Task ClearAsync(CancellationToken cancellationToken = default);
}

/// <summary>An item of a vector shard.</summary>
/// <param name="Key">The key (1 to 2,048 UTF-8 bytes).</param>
/// <param name="Vector">The vector.</param>
/// <param name="AgentId">The agent it belongs to (for filters), or none.</param>
/// <param name="Kind">Its kind (for filters), or none.</param>
/// <param name="Timestamp">Its time (for filters), or none.</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.entry")]
public sealed record VectorShardEntry([property: Id(0)] string Key, [property: Id(1)] float[] Vector, [property: Id(2)] string? AgentId = null, [property: Id(3)] string? Kind = null, [property: Id(4)] DateTimeOffset? Timestamp = null);

/// <summary>The size of a vector shard grain.</summary>
/// <param name="Count">Live items.</param>
/// <param name="Tombstones">Deleted or replaced items not compacted yet.</param>
/// <param name="ResidentBytes">The bytes its index holds in process memory (allocated capacity: codes, links, keys,
/// metadata and float32 vectors when kept).</param>
/// <param name="VectorStorage">Where it keeps float32 vectors, if anywhere.</param>
/// <param name="SnapshotBytes">The size of its last stored snapshot.</param>
/// <param name="JournalEntries">Journal entries since that snapshot.</param>
/// <param name="JournalBytes">Their bytes.</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.statistics")]
public sealed record VectorShardGrainStatistics(
    [property: Id(0)] int Count,
    [property: Id(1)] int Tombstones,
    [property: Id(2)] long ResidentBytes,
    [property: Id(3)] VectorStorage VectorStorage,
    [property: Id(4)] long SnapshotBytes,
    [property: Id(5)] int JournalEntries,
    [property: Id(6)] long JournalBytes);

/// <summary>A search hit.</summary>
/// <param name="Key">The item's key.</param>
/// <param name="Score">Its similarity (higher is nearer).</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.hit")]
public sealed record VectorShardHit([property: Id(0)] string Key, [property: Id(1)] float Score);

/// <summary>A search filter (all given conditions must hold).</summary>
/// <param name="AgentIds">Any of these agents, or any.</param>
/// <param name="Kinds">Any of these kinds, or any.</param>
/// <param name="From">Items at or after this time, or any.</param>
/// <param name="To">Items before this time, or any.</param>
[GenerateSerializer]
[Alias("memoryfabric.vectorshard.filter")]
public sealed record VectorShardFilter([property: Id(0)] IReadOnlyList<string>? AgentIds = null, [property: Id(1)] IReadOnlyList<string>? Kinds = null, [property: Id(2)] DateTimeOffset? From = null, [property: Id(3)] DateTimeOffset? To = null);

/// <summary>The <see cref="IVectorShardGrain"/>: the shard lives in the activation; every upsert or delete is one
/// journal entry (written before the call returns); after at least <see cref="SnapshotAfterJournalEntries"/> entries
/// that add up to half the last snapshot's size (or after <see cref="MaxJournalEntries"/>), and on deactivation, the
/// shard is saved in its snapshot format as the grain's snapshot. Sized by bytes, a growing shard fed many small
/// batches (agents' outboxes) is not rewritten whole every few dozen upserts: the bytes written stay within about three
/// times what is upserted.</summary>
/// <param name="store">Where the shard's snapshot and journal live (the silo's <see cref="IActorStateStore"/>).</param>
/// <param name="splitState">The shard's split state (small-state storage).</param>
/// <param name="options">The tenant index's settings (<see cref="TenantIndexOptions.VectorStorage"/>); the defaults when
/// none are registered.</param>
public sealed partial class VectorShardGrain(
    IActorStateStore store,
    [PersistentState(VectorShardGrain.SplitTypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<VectorShardSplitState> splitState,
    TenantIndexOptions? options = null) : Grain, IVectorShardGrain
{
    private readonly TenantIndexOptions _options = options ?? new TenantIndexOptions();

    /// <summary>Journal entries after which the shard is snapshotted.</summary>
    public const int SnapshotAfterJournalEntries = 64;

    /// <summary>Journal entries after which the shard is snapshotted whatever their size (bounds the replay at activation).</summary>
    public const int MaxJournalEntries = 4096;

    private const byte UpsertOp = 1;
    private const byte DeleteOp = 2;

    /// <summary>The record type of shard state in the <see cref="IActorStateStore"/>.</summary>
    public const string TypeName = "vector-shard";

    /// <summary>The state name of a shard's split state in small-state storage.</summary>
    public const string SplitTypeName = "vector-shard-split";

    private ActorStorage? _storage;
    private VectorShard? _shard;
    private string? _directory;
    private long _version;
    private long _lastSequence;
    private int _journalSinceSnapshot;
    private long _journalBytes;  // the journal's bytes since the snapshot
    private long _snapshotBytes; // the last snapshot's size

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = new ActorStorage(store, new ActorId(TypeName, this.GetPrimaryKeyString()));
        _directory = Path.Combine(Path.GetTempPath(), "memoryfabric-shards", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var state = await _storage.LoadAsync(cancellationToken);
        if (state.Snapshot is { } snapshot)
        {
            var path = Path.Combine(_directory, "loaded.mfvs");
            await File.WriteAllBytesAsync(path, snapshot.ToArray(), cancellationToken);
            _shard = VectorShard.Load(path, _options.VectorStorage, _directory, cancellationToken);
        }

        foreach (var entry in state.Journal)
        {
            Apply(entry.Data.Span);
        }

        _version = state.SnapshotVersion;
        _lastSequence = state.LastSequence;
        _journalSinceSnapshot = state.Journal.Count;
        _journalBytes = state.Journal.Sum(e => (long)e.Data.Length);
        _snapshotBytes = state.Snapshot?.Length ?? 0;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(global::Orleans.DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_journalSinceSnapshot > 0 && _shard is not null)
            {
                await WriteSnapshotAsync(cancellationToken);
            }
        }
        finally
        {
            _shard?.Dispose();
            _shard = null;
            try
            {
                Directory.Delete(_directory!, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <inheritdoc />
    public async Task<int> UpsertAsync(IReadOnlyList<VectorShardEntry> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ThrowIfRetired();
        if (items.Count == 0)
        {
            return _shard?.Count ?? 0;
        }

        var dimensions = _shard?.Dimensions ?? items[0].Vector.Length;
        foreach (var item in items)
        {
            ArgumentException.ThrowIfNullOrEmpty(item.Key, nameof(items));
            if (item.Vector is null || item.Vector.Length != dimensions)
            {
                throw new ArgumentException($"Every vector of this shard has {dimensions} dimensions.", nameof(items));
            }
        }

        await CommitAsync(EncodeUpserts(items), cancellationToken);
        await ForwardAsync(items, static (half, part, ct) => half.UpsertAsync(part, ct), static i => i.Key, cancellationToken);
        await ReportSizeAsync();
        return _shard!.Count;
    }

    /// <inheritdoc />
    public async Task<int> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfRetired();
        var present = keys.Where(k => _shard?.Contains(k) == true).Distinct(StringComparer.Ordinal).ToList();
        if (present.Count > 0)
        {
            await CommitAsync(EncodeDeletes(present), cancellationToken);
        }

        await ForwardAsync(keys, static (half, part, ct) => half.DeleteAsync(part, ct), static k => k, cancellationToken);
        return present.Count;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<VectorShardHit>> SearchAsync(float[] query, int k, VectorShardFilter? filter = null, CancellationToken cancellationToken = default) =>
        Search(query, k, null, filter, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<VectorShardHit>> SearchAsync(float[] query, int k, int efSearch, VectorShardFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(efSearch, 1);
        return Search(query, k, efSearch, filter, cancellationToken);
    }

    private Task<IReadOnlyList<VectorShardHit>> Search(float[] query, int k, int? efSearch, VectorShardFilter? filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (splitState.State is { Retired: true, Split: { } split })
        {
            return SearchHalvesAsync(split, query, k, efSearch, filter, cancellationToken);
        }

        if (_shard is null || _shard.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<VectorShardHit>>([]);
        }

        var vectorFilter = filter is null ? null : new VectorFilter { AgentIds = filter.AgentIds, Kinds = filter.Kinds, From = filter.From, To = filter.To };
        IReadOnlyList<VectorShardHit> hits = _shard.Search(query, k, vectorFilter, efSearch).Select(h => new VectorShardHit(h.Key, h.Score)).ToList();
        return Task.FromResult(hits);
    }

    /// <inheritdoc />
    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(_shard?.Count ?? 0);

    /// <inheritdoc />
    public Task<VectorShardGrainStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var statistics = _shard?.GetStatistics();
        return Task.FromResult(new VectorShardGrainStatistics(
            statistics?.Count ?? 0,
            statistics?.TombstoneCount ?? 0,
            statistics?.ResidentBytes ?? 0,
            _shard?.Options.VectorStorage ?? _options.VectorStorage,
            _snapshotBytes,
            _journalSinceSnapshot,
            _journalBytes));
    }

    /// <inheritdoc />
    public async Task<int> ForgetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfRetired();
        var removed = await ForgetHereAsync(keys, cancellationToken);
        await ForwardAsync(keys, static (half, part, ct) => half.ForgetAsync(part, ct), static k => k, cancellationToken);
        return removed;
    }

    // The forget of this shard alone: deletes, compaction, snapshot, and the store's purge.
    private async Task<int> ForgetHereAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var present = keys.Where(k => _shard?.Contains(k) == true).Distinct(StringComparer.Ordinal).ToList();
        if (present.Count > 0)
        {
            await CommitAsync(EncodeDeletes(present), cancellationToken, snapshot: false);
        }

        await PurgeAsync();
        return present.Count;
    }

    /// <inheritdoc />
    public Task<int> ForgetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        ThrowIfRetired();
        var keys = _shard is null ? [] : _shard.EnumerateItems().Where(i => i.Metadata.AgentId == agentId).Select(i => i.Key).ToList();
        return ForgetAgentHereAndInHalvesAsync(agentId, keys, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await ClearItemsAsync(cancellationToken);
        await splitState.ClearStateAsync(cancellationToken);
        splitState.State = new VectorShardSplitState();
        DeactivateOnIdle();
    }

    // The items and their stored snapshot and journal, for good; the split state stays.
    private async Task ClearItemsAsync(CancellationToken cancellationToken)
    {
        await _storage!.ClearAsync(cancellationToken);
        await _storage.PurgeDeletedAsync(CancellationToken.None);
        _shard?.Dispose();
        _shard = null;
        _version = 0;
        _lastSequence = 0;
        _journalSinceSnapshot = 0;
        _journalBytes = 0;
        _snapshotBytes = 0;
    }

    // After a forget: the live items alone (compacted, so no tombstone keeps a removed vector) replace the snapshot and
    // the journal entries that held the removed items, and the store wipes the deleted records from its files.
    private async Task PurgeAsync()
    {
        if (_shard is null || (_journalSinceSnapshot == 0 && _shard.TombstoneCount == 0))
        {
            return; // the snapshot holds exactly the live items already
        }

        _shard.Compact(CancellationToken.None);
        await WriteSnapshotAsync(CancellationToken.None);
        await _storage!.PurgeDeletedAsync(CancellationToken.None);
    }

    // The change is applied after it is durable: a failed append leaves the shard as it was.
    private async Task CommitAsync(byte[] entry, CancellationToken cancellationToken, bool snapshot = true)
    {
        _lastSequence = await _storage!.AppendAsync([entry], cancellationToken);
        Apply(entry);
        _journalBytes += entry.Length;
        if (++_journalSinceSnapshot >= SnapshotAfterJournalEntries && snapshot
            && (_journalBytes >= _snapshotBytes / 2 || _journalSinceSnapshot >= MaxJournalEntries))
        {
            await WriteSnapshotAsync(CancellationToken.None);
        }
    }

    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_directory!, "save.mfvs");
        _shard!.Save(path, cancellationToken);
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        File.Delete(path); // the store holds it now: no scratch copy outlives a later forget
        _version = await _storage!.WriteSnapshotAsync(bytes, _lastSequence, _version, cancellationToken);
        _journalSinceSnapshot = 0;
        _journalBytes = 0;
        _snapshotBytes = bytes.Length;
    }

    private void Apply(ReadOnlySpan<byte> entry)
    {
        var op = entry[0];
        var reader = new SpanReader(entry[1..]);
        var count = reader.ReadInt32();
        var scratch = Array.Empty<float>();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (op == DeleteOp)
            {
                _shard?.Delete(key);
                continue;
            }

            var vector = reader.ReadFloats(ref scratch);
            var agent = reader.ReadNullableString();
            var kind = reader.ReadNullableString();
            var ticks = reader.ReadInt64();
            _shard ??= new VectorShard(new VectorShardOptions
            {
                Dimensions = vector.Length,
                M = _options.ShardM,
                EfConstruction = _options.ShardEfConstruction,
                VectorStorage = _options.VectorStorage,
                StorageDirectory = _directory,
            });
            _shard.Upsert(key, vector, new VectorItemMetadata(agent, kind, ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero)));
        }
    }

    private static byte[] EncodeUpserts(IReadOnlyList<VectorShardEntry> items)
    {
        // Sized up front (keys and names at most 3 bytes per char plus their length): a batch's entry is hundreds of
        // kilobytes, and a growing stream would copy it several times over.
        var capacity = 5L;
        foreach (var item in items)
        {
            capacity += 5 + (3L * item.Key.Length) + 4 + (4L * item.Vector.Length) + 2 + 10 + (3L * ((item.AgentId?.Length ?? 0) + (item.Kind?.Length ?? 0))) + 8;
        }

        using var stream = new MemoryStream((int)Math.Min(capacity, Array.MaxLength));
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(UpsertOp);
        writer.Write(items.Count);
        foreach (var item in items)
        {
            writer.Write(item.Key);
            writer.Write(item.Vector.Length);
            if (BitConverter.IsLittleEndian)
            {
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(item.Vector.AsSpan())); // the layout BinaryWriter gives, in one copy
            }
            else
            {
                foreach (var x in item.Vector)
                {
                    writer.Write(x);
                }
            }

            WriteNullable(writer, item.AgentId);
            WriteNullable(writer, item.Kind);
            writer.Write(item.Timestamp?.UtcTicks ?? long.MinValue);
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static byte[] EncodeDeletes(IReadOnlyList<string> keys)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(DeleteOp);
        writer.Write(keys.Count);
        foreach (var key in keys)
        {
            writer.Write(key);
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static void WriteNullable(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    // Reads what BinaryWriter wrote (little-endian, 7-bit length-prefixed UTF-8 strings).
    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public int ReadInt32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(_data[_position..]);
            _position += 4;
            return value;
        }

        public long ReadInt64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        // The vector in place (little-endian: a view of the entry, no copy, whatever its alignment); otherwise read
        // into the scratch array.
        public ReadOnlySpan<float> ReadFloats(ref float[] scratch)
        {
            var length = ReadInt32();
            var bytes = _data.Slice(_position, length * 4);
            _position += length * 4;
            if (BitConverter.IsLittleEndian)
            {
                return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
            }

            if (scratch.Length < length)
            {
                scratch = new float[length];
            }

            for (var i = 0; i < length; i++)
            {
                scratch[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
            }

            return scratch.AsSpan(0, length);
        }

        public string ReadString()
        {
            var length = 0;
            var shift = 0;
            byte b;
            do
            {
                b = _data[_position++];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            var value = Encoding.UTF8.GetString(_data.Slice(_position, length));
            _position += length;
            return value;
        }

        public string? ReadNullableString() => _data[_position++] != 0 ? ReadString() : null;
    }
}
