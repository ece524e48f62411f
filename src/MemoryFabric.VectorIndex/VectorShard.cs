using System.Numerics.Tensors;
using MemoryFabric.VectorIndex.Quantization;
using MemoryFabric.VectorIndex.Snapshots;
using MemoryFabric.VectorIndex.Storage;

namespace MemoryFabric.VectorIndex;

/// <summary>
/// One shard of an approximate nearest-neighbour index: an HNSW graph over int8-quantized vectors, with exact
/// re-ranking of the top candidates from the float32 vectors, string keys, metadata filters, tombstone deletes with
/// compaction, and versioned, checksummed snapshots.
/// </summary>
/// <remarks>
/// <para>Concurrency: one writer at a time (writes take a lock), any number of concurrent readers, which never block
/// and never see a torn neighbour list or a half-inserted item. A reader racing with an upsert of an existing key may
/// briefly miss that key, never see it twice. <see cref="Compact"/> builds a new generation while readers keep using
/// the old one.</para>
/// <para>Memory: traversal reads only the int8 codes (one byte per dimension) and the links; the float32 vectors live
/// in a memory-mapped file unless <see cref="VectorStorage.InMemory"/> is chosen. See
/// <see cref="GetStatistics"/>.</para>
/// </remarks>
public sealed class VectorShard : IVectorIndex
{
    private readonly Lock _writeLock = new();
    private readonly float[] _writeBuffer;
    private readonly byte[] _keyBuffer = new byte[KeyTable.MaxKeyBytes];
    private ShardState _state;
    private volatile bool _disposed;

    /// <summary>Creates an empty shard.</summary>
    /// <param name="options">The options.</param>
    public VectorShard(VectorShardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _state = new ShardState(options);
        _writeBuffer = new float[options.Dimensions];
    }

    private VectorShard(ShardState state)
    {
        _state = state;
        _writeBuffer = new float[state.Options.Dimensions];
    }

    /// <summary>The options (for a loaded shard: the snapshot's structure with the runtime options given to
    /// <see cref="Load(string, VectorShardOptions?, CancellationToken)"/>).</summary>
    public VectorShardOptions Options => Volatile.Read(ref _state).Options;

    /// <summary>The number of dimensions.</summary>
    public int Dimensions => Options.Dimensions;

    /// <summary>The number of live items.</summary>
    public int Count => Volatile.Read(ref _state).LiveCount;

    /// <summary>The number of tombstones (deleted or replaced items still in the graph).</summary>
    public int TombstoneCount => Volatile.Read(ref _state).TombstoneCount;

    /// <summary>Whether tombstones exceed <see cref="VectorShardOptions.CompactionThreshold"/> of the stored items:
    /// time to call <see cref="Compact"/>.</summary>
    public bool NeedsCompaction
    {
        get
        {
            var state = Volatile.Read(ref _state);
            var slots = state.SlotCount;
            return slots > 0 && state.TombstoneCount > state.Options.CompactionThreshold * slots;
        }
    }

    /// <summary>Loads a snapshot written by <see cref="Save"/>; loading reads the arrays in bulk (no graph
    /// construction).</summary>
    /// <param name="path">The snapshot file. With <see cref="VectorStorage.MappedFile"/> the shard maps the file's
    /// vectors in place: replace it only by renaming a new file over it (as <see cref="Save"/> does), never by
    /// rewriting it in place while a shard uses it.</param>
    /// <param name="options">Runtime options (vector storage, efSearch, filter and compaction thresholds); their
    /// dimensions, metric, M and efConstruction must match the snapshot, and their
    /// <see cref="VectorShardOptions.EmbeddingModelId"/>, when set, the model the snapshot records (a snapshot of format
    /// version 1 records none and loads under any). Defaults when <see langword="null"/> (the recorded model kept).</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The shard.</returns>
    /// <exception cref="VectorSnapshotException">The file is missing, not a snapshot, of an unsupported version,
    /// truncated or corrupted, or its vectors were made by another embedding model than the options name.</exception>
    public static VectorShard Load(string path, VectorShardOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new VectorShard(SnapshotReader.Read(path, options, cancellationToken));
    }

    /// <summary>Loads a snapshot with the structure it records (dimensions, metric, M, efConstruction, efSearch, model)
    /// and the given vector storage.</summary>
    /// <param name="path">The snapshot file (see <see cref="Load(string, VectorShardOptions?, CancellationToken)"/>).</param>
    /// <param name="storage">Where the loaded shard keeps its float32 vectors, if anywhere.</param>
    /// <param name="storageDirectory">The directory of its side file (<see cref="VectorStorage.MappedFile"/>); the
    /// temporary directory when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The shard.</returns>
    /// <exception cref="VectorSnapshotException">The file is missing, not a snapshot, of an unsupported version,
    /// truncated or corrupted.</exception>
    public static VectorShard Load(string path, VectorStorage storage, string? storageDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Enum.IsDefined(storage))
        {
            throw new ArgumentOutOfRangeException(nameof(storage), storage, "Unknown vector storage.");
        }

        return new VectorShard(SnapshotReader.Read(path, null, cancellationToken, (storage, storageDirectory)));
    }

    /// <summary>Adds an item or replaces the item with the same key (an identical upsert is a no-op).</summary>
    /// <param name="key">The key (1 to 2,048 UTF-8 bytes).</param>
    /// <param name="vector">The vector; normalized here when the metric is cosine.</param>
    /// <param name="metadata">What filters can select the item by.</param>
    /// <exception cref="ArgumentException">The key is empty or too long, or the vector has the wrong length, a
    /// non-finite component, or (cosine) zero length.</exception>
    public void Upsert(string key, ReadOnlySpan<float> vector, VectorItemMetadata metadata = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var state = _state;
            PrepareVector(vector, _writeBuffer, state.Options);
            var length = KeyTable.Encode(key, _keyBuffer);
            var utf8 = _keyBuffer.AsSpan(0, length);
            state.Add(utf8, KeyTable.Hash(utf8), _writeBuffer, metadata);
        }
    }

    /// <summary>Deletes an item (a tombstone: it is skipped by searches and removed by <see cref="Compact"/>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the item existed.</returns>
    public bool Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            int length;
            try
            {
                length = KeyTable.Encode(key, _keyBuffer);
            }
            catch (ArgumentException)
            {
                return false;
            }

            var utf8 = _keyBuffer.AsSpan(0, length);
            return _state.Delete(utf8, KeyTable.Hash(utf8));
        }
    }

    /// <summary>Whether a live item has the key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it does.</returns>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = Acquire();
        try
        {
            return state.FindLive(key) >= 0;
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>The metadata of a live item.</summary>
    /// <param name="key">The key.</param>
    /// <param name="metadata">The metadata (timestamps in UTC).</param>
    /// <returns>Whether the item exists.</returns>
    public bool TryGetMetadata(string key, out VectorItemMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = Acquire();
        try
        {
            var slot = state.FindLive(key);
            metadata = slot >= 0 ? state.Metadata(slot) : default;
            return slot >= 0;
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>A live item: its key, its stored vector (decoded from the int8 codes when no float32 copy is kept) and
    /// its metadata.</summary>
    /// <param name="key">The key.</param>
    /// <param name="item">The item, when it exists.</param>
    /// <returns>Whether the item exists.</returns>
    public bool TryGetItem(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VectorShardItem? item)
    {
        ArgumentNullException.ThrowIfNull(key);
        var state = Acquire();
        try
        {
            var slot = state.FindLive(key);
            item = slot >= 0 ? new VectorShardItem(key, state.FullVector(slot, state.NewVectorScratch()).ToArray(), state.Metadata(slot)) : null;
            return item is not null;
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>
    /// The <paramref name="k"/> items most similar to the query, best first, with exact scores. Traverses the graph
    /// over int8 codes with a beam of max(<paramref name="efSearch"/>, k) and re-ranks the beam with the float32
    /// vectors. With a filter, a selective one (see <see cref="VectorShardOptions.FilterExactScanRatio"/>) is answered
    /// by an exact scan of the matching items, a broad one by a graph search that only returns matching items.
    /// </summary>
    /// <param name="query">The query (normalized here when the metric is cosine).</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <param name="efSearch">The beam width; <see cref="VectorShardOptions.EfSearch"/> when <see langword="null"/>.</param>
    /// <returns>The hits, by score descending (ties by key order of insertion).</returns>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorFilter? filter = null, int? efSearch = null) =>
        Search(query, k, filter, efSearch, out _);

    /// <summary>The exact <paramref name="k"/> nearest items by a scan of every live (matching) item.</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <returns>The hits, by score descending.</returns>
    public IReadOnlyList<VectorHit> SearchExact(ReadOnlySpan<float> query, int k, VectorFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var state = Acquire();
        try
        {
            return state.SearchExact(query, k, filter);
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>
    /// Rebuilds the graph from the live items, dropping tombstones. Readers keep searching the old generation until
    /// the new one is published; writers wait.
    /// </summary>
    /// <param name="cancellationToken">Cancels the rebuild (the shard is unchanged).</param>
    public void Compact(CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var old = _state;
            var fresh = new ShardState(old.Options);
            try
            {
                old.CopyLiveTo(fresh, null, cancellationToken);
            }
            catch
            {
                fresh.Dispose();
                throw;
            }

            Volatile.Write(ref _state, fresh);
            old.Release();
        }
    }

    /// <summary>Writes a snapshot: to a temporary file beside <paramref name="path"/>, flushed, then renamed over it.
    /// Writers wait; readers continue.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is left under <paramref name="path"/>).</param>
    public void Save(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            SnapshotWriter.Write(_state, path, cancellationToken);
        }
    }

    /// <summary>Counts and memory.</summary>
    /// <returns>The statistics.</returns>
    public VectorShardStatistics GetStatistics()
    {
        var state = Acquire();
        try
        {
            return new VectorShardStatistics
            {
                Count = state.LiveCount,
                TombstoneCount = state.TombstoneCount,
                MaxLevel = state.Index.Graph.Entry.Level,
                ResidentBytes = state.ResidentBytes,
                ResidentBreakdown = state.ResidentBreakdown(),
                MappedBytes = state.Vectors.MappedBytes,
                ScratchBytesPerThread = (long)state.SlotCount * sizeof(ushort),
                Kernel = Int8Kernels.Path,
            };
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>The keys of the live items, in insertion order, as of the start of the enumeration. Dispose the
    /// enumerator (foreach does) to release the generation it reads.</summary>
    /// <returns>The keys.</returns>
    public IEnumerable<string> EnumerateKeys()
    {
        var state = Acquire();
        try
        {
            var count = state.SlotCount;
            for (var slot = 0; slot < count; slot++)
            {
                if (!state.IsDeleted(slot))
                {
                    yield return state.Keys.Key(slot);
                }
            }
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>The live items (key, stored vector, metadata), in insertion order, as of the start of the
    /// enumeration (items added later are not included). Dispose the enumerator (foreach does) to release the
    /// generation it reads.</summary>
    /// <returns>The items.</returns>
    public IEnumerable<VectorShardItem> EnumerateItems()
    {
        var state = Acquire();
        try
        {
            var count = state.SlotCount;
            var scratch = state.NewVectorScratch();
            for (var slot = 0; slot < count; slot++)
            {
                if (!state.IsDeleted(slot))
                {
                    yield return new VectorShardItem(state.Keys.Key(slot), state.FullVector(slot, scratch).ToArray(), state.Metadata(slot));
                }
            }
        }
        finally
        {
            state.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _state.Release();
        }
    }

    /// <summary>Search, also saying how it was answered (tests).</summary>
    internal IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorFilter? filter, int? efSearch, out SearchPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (efSearch is { } ef)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(ef, 1, nameof(efSearch));
        }

        var state = Acquire();
        try
        {
            return state.Search(query, k, filter, efSearch ?? state.Options.EfSearch, out path);
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>The current generation under a lease (tests and the sharded index).</summary>
    internal ShardState Acquire()
    {
        while (true)
        {
            ThrowIfDisposed();
            var state = Volatile.Read(ref _state);
            if (state.TryAcquire())
            {
                return state;
            }
        }
    }

    private static void PrepareVector(ReadOnlySpan<float> vector, float[] destination, VectorShardOptions options)
    {
        if (vector.Length != options.Dimensions)
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions; the shard has {options.Dimensions}.", nameof(vector));
        }

        var norm = TensorPrimitives.Norm(vector);
        if (!float.IsFinite(norm))
        {
            throw new ArgumentException("The vector has a non-finite component.", nameof(vector));
        }

        vector.CopyTo(destination);
        if (options.Metric == VectorMetric.Cosine)
        {
            if (norm == 0)
            {
                throw new ArgumentException("A zero vector has no direction (cosine metric).", nameof(vector));
            }

            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
