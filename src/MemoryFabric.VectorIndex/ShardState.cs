using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MemoryFabric.VectorIndex.Hnsw;
using MemoryFabric.VectorIndex.Storage;

namespace MemoryFabric.VectorIndex;

/// <summary>An item's metadata as stored: interned ids and UTC ticks.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ItemMeta
{
    /// <summary>Ticks value meaning "no timestamp".</summary>
    public const long NoTime = long.MinValue;

    /// <summary>UTC ticks, or <see cref="NoTime"/>.</summary>
    public long Ticks;

    /// <summary>The interned agent id (0 for none).</summary>
    public int Agent;

    /// <summary>The interned kind id (0 for none).</summary>
    public int Kind;
}

/// <summary>
/// Everything one generation of a shard holds: the HNSW index over int8 codes, the float32 vectors, keys, metadata
/// and tombstones. Slots are append-only: an upsert of an existing key adds a slot and tombstones the old one;
/// compaction builds a new state. Mutated by the single writer; searched by any number of readers, which hold a lease
/// so that a state replaced by compaction is disposed only after its last search ends.
/// </summary>
internal sealed partial class ShardState : IDisposable
{
    /// <summary>Flag bit: the slot is deleted or replaced.</summary>
    public const byte DeletedFlag = 1;

    private readonly SlotArray<byte> _flags = new(1);
    private readonly SlotArray<ItemMeta> _meta = new(1);
    private readonly SearchContext _writer;
    private readonly sbyte[] _writerRow;
    private readonly SearchContextPool _pool;
    private int _count;
    private int _live;
    private int _tombstones;
    private LeaseCount _leases = new();

    /// <summary>Creates an empty state.</summary>
    /// <param name="options">The options (validated).</param>
    public ShardState(VectorShardOptions options)
    {
        Options = options;
        Index = new HnswIndex(options.Dimensions, options.M, options.EfConstruction, options.Seed);
        Vectors = new FullVectorStore(options.Dimensions, options.VectorStorage, options.StorageDirectory);
        _writer = Index.CreateContext();
        _writerRow = new sbyte[Index.RowBytes];
        _pool = new SearchContextPool(Index.CreateContext);
    }

    /// <summary>The options.</summary>
    public VectorShardOptions Options { get; }

    /// <summary>The HNSW index.</summary>
    public HnswIndex Index { get; }

    /// <summary>The float32 vectors.</summary>
    public FullVectorStore Vectors { get; }

    /// <summary>Whether float32 vectors are kept beside the int8 codes (all storages but
    /// <see cref="VectorStorage.Quantized"/>).</summary>
    public bool KeepsFloatVectors => Options.VectorStorage != VectorStorage.Quantized;

    /// <summary>The keys.</summary>
    public KeyTable Keys { get; } = new();

    /// <summary>Agent ids.</summary>
    public StringInterner Agents { get; } = new();

    /// <summary>Kinds.</summary>
    public StringInterner Kinds { get; } = new();

    /// <summary>The published slots (live and tombstoned).</summary>
    public int SlotCount => Volatile.Read(ref _count);

    /// <summary>The live items.</summary>
    public int LiveCount => Volatile.Read(ref _live);

    /// <summary>The tombstoned slots.</summary>
    public int TombstoneCount => Volatile.Read(ref _tombstones);

    /// <summary>The bytes this state holds in process memory (everything but memory-mapped vectors and per-thread
    /// search scratch).</summary>
    public long ResidentBytes =>
        Index.AllocatedBytes + Keys.AllocatedBytes + _flags.AllocatedBytes + _meta.AllocatedBytes
        + Agents.AllocatedBytes() + Kinds.AllocatedBytes() + Vectors.ResidentBytes;

    /// <summary>The parts of <see cref="ResidentBytes"/>.</summary>
    /// <returns>Bytes by part.</returns>
    public Dictionary<string, long> ResidentBreakdown() => new()
    {
        ["int8_codes"] = Index.CodeBytes,
        ["quantization_parameters"] = Index.ParamBytes,
        ["links_layer0"] = Index.Graph.Level0Bytes,
        ["links_upper_layers"] = Index.Graph.UpperBytes,
        ["node_levels"] = Index.Graph.NodeBytes,
        ["keys"] = Keys.AllocatedBytes,
        ["metadata"] = _meta.AllocatedBytes,
        ["tombstone_flags"] = _flags.AllocatedBytes,
        ["interned_strings"] = Agents.AllocatedBytes() + Kinds.AllocatedBytes(),
        ["float32_vectors_in_memory"] = Vectors.ResidentBytes,
    };

    /// <summary>Takes a lease for a search; fails once the state is retired and drained.</summary>
    /// <returns>Whether the lease was taken.</returns>
    public bool TryAcquire() => _leases.TryAcquire();

    /// <summary>Ends a lease (or the owner's reference); the last one disposes the resources.</summary>
    public void Release()
    {
        if (_leases.Release())
        {
            Vectors.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    /// <summary>Whether a slot is tombstoned.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>Whether it is.</returns>
    public bool IsDeleted(int slot) => (Volatile.Read(ref _flags.At(slot)) & DeletedFlag) != 0;

    /// <summary>A slot's stored metadata.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The metadata.</returns>
    public ref ItemMeta Meta(int slot) => ref _meta.At(slot);

    /// <summary>A slot's metadata as the public type.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The metadata.</returns>
    public VectorItemMetadata Metadata(int slot)
    {
        var meta = _meta.At(slot);
        return new VectorItemMetadata(
            Agents.Name(meta.Agent),
            Kinds.Name(meta.Kind),
            meta.Ticks == ItemMeta.NoTime ? null : new DateTimeOffset(meta.Ticks, TimeSpan.Zero));
    }

    /// <summary>Adds or replaces an item (writer only).</summary>
    /// <param name="utf8">The key's UTF-8 bytes.</param>
    /// <param name="hash">The key's hash.</param>
    /// <param name="vector">The vector (normalized for cosine).</param>
    /// <param name="metadata">The metadata.</param>
    /// <returns>Whether anything changed (an identical upsert is a no-op).</returns>
    public bool Add(ReadOnlySpan<byte> utf8, int hash, ReadOnlySpan<float> vector, in VectorItemMetadata metadata)
    {
        var slot = _count;
        var existing = Keys.Find(utf8, hash, slot);
        var live = existing >= 0 && !IsDeleted(existing);
        var meta = new ItemMeta
        {
            Agent = Agents.Intern(metadata.AgentId),
            Kind = Kinds.Intern(metadata.Kind),
            Ticks = metadata.Timestamp is { } time ? time.UtcTicks : ItemMeta.NoTime,
        };
        if (live && HoldsSameVector(existing, vector) && _meta.At(existing).Equals(meta))
        {
            return false;
        }

        if (slot == int.MaxValue - 1)
        {
            throw new InvalidOperationException("The shard is full.");
        }

        var capacity = slot + 1;
        Index.EnsureCapacity(capacity);
        Keys.EnsureCapacity(capacity);
        _flags.EnsureCapacity(capacity);
        _meta.EnsureCapacity(capacity);
        Vectors.Write(slot, vector);
        Index.SetVector(slot, vector);
        Keys.Write(slot, utf8, hash);
        _meta.At(slot) = meta;
        _flags.At(slot) = 0;
        var level = Index.RandomLevel();
        Index.Graph.AddNode(slot, level);
        var raisesEntry = Index.Insert(_writer, slot, level);

        if (live)
        {
            MarkDeleted(existing);
        }

        Agents.AddLive(meta.Agent, 1);
        Kinds.AddLive(meta.Kind, 1);
        Volatile.Write(ref _live, _live + 1);
        Volatile.Write(ref _count, slot + 1);
        if (raisesEntry)
        {
            Index.Graph.SetEntry(slot, level);
        }

        Keys.Map(slot, slot + 1);
        return true;
    }

    /// <summary>A slot's vector in float32: the stored copy, or with <see cref="VectorStorage.Quantized"/> its int8
    /// codes decoded into <paramref name="scratch"/>.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="scratch">At least <c>Dimensions</c> floats (unused when float32 vectors are kept).</param>
    /// <returns>The vector, valid until <paramref name="scratch"/> is reused.</returns>
    public ReadOnlySpan<float> FullVector(int slot, Span<float> scratch)
    {
        if (KeepsFloatVectors)
        {
            return Vectors.Vector(slot);
        }

        Index.Decode(slot, scratch);
        return scratch[..Options.Dimensions];
    }

    /// <summary>A scratch buffer for <see cref="FullVector"/> (empty when float32 vectors are kept).</summary>
    /// <returns>The buffer.</returns>
    public float[] NewVectorScratch() => KeepsFloatVectors ? [] : new float[Options.Dimensions];

    // Whether an upsert would store what the slot holds already (float32 vectors compared exactly; without them,
    // the codes the new vector quantizes to).
    private bool HoldsSameVector(int slot, ReadOnlySpan<float> vector) =>
        KeepsFloatVectors ? Vectors.Vector(slot).SequenceEqual(vector) : Index.HoldsSameCodes(slot, vector, _writerRow);

    /// <summary>Deletes an item (writer only).</summary>
    /// <param name="utf8">The key's UTF-8 bytes.</param>
    /// <param name="hash">The key's hash.</param>
    /// <returns>Whether it was live.</returns>
    public bool Delete(ReadOnlySpan<byte> utf8, int hash)
    {
        var slot = Keys.Find(utf8, hash, _count);
        if (slot < 0 || IsDeleted(slot))
        {
            return false;
        }

        MarkDeleted(slot);
        return true;
    }

    /// <summary>The live slot of a key, or -1.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot or -1.</returns>
    public int FindLive(string key)
    {
        var slot = Keys.Find(key, SlotCount);
        return slot >= 0 && !IsDeleted(slot) ? slot : -1;
    }

    /// <summary>Copies the live items into another state (compaction and splits).</summary>
    /// <param name="target">The target.</param>
    /// <param name="include">Which keys to copy (by key hash), or all when null.</param>
    /// <param name="cancellationToken">Cancels between items.</param>
    public void CopyLiveTo(ShardState target, Func<ReadOnlySpan<byte>, bool>? include, CancellationToken cancellationToken)
    {
        var count = SlotCount;
        var scratch = NewVectorScratch();
        for (var slot = 0; slot < count; slot++)
        {
            if (IsDeleted(slot))
            {
                continue;
            }

            if ((slot & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var key = Keys.KeyBytes(slot);
            if (include is not null && !include(key))
            {
                continue;
            }

            target.Add(key, Keys.SlotHash(slot), FullVector(slot, scratch), Metadata(slot));
        }
    }

    /// <summary>The flags chunks (snapshot).</summary>
    /// <param name="count">The slots.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<byte>> FlagChunks(int count) => _flags.Chunks(count);

    /// <summary>The metadata chunks (snapshot).</summary>
    /// <param name="count">The slots.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<ItemMeta>> MetaChunks(int count) => _meta.Chunks(count);

    /// <summary>Makes room for the slots of a snapshot being loaded.</summary>
    /// <param name="count">The slots.</param>
    public void PrepareRestore(int count)
    {
        Index.EnsureCapacity(count);
        Keys.EnsureCapacity(count);
        _flags.EnsureCapacity(count);
        _meta.EnsureCapacity(count);
    }

    /// <summary>Finishes a snapshot load: validates metadata ids, recounts live items and tombstones, publishes.</summary>
    /// <param name="count">The slots.</param>
    /// <param name="entry">The entry point.</param>
    /// <param name="maxLevel">The top level.</param>
    /// <exception cref="InvalidDataException">Something is inconsistent.</exception>
    public void CompleteRestore(int count, int entry, int maxLevel)
    {
        var live = 0;
        for (var slot = 0; slot < count; slot++)
        {
            var flags = _flags.At(slot);
            if ((flags & ~DeletedFlag) != 0)
            {
                throw new InvalidDataException($"slot {slot} has unknown flags {flags}");
            }

            var meta = _meta.At(slot);
            if ((uint)meta.Agent >= (uint)Agents.Count || (uint)meta.Kind >= (uint)Kinds.Count)
            {
                throw new InvalidDataException($"slot {slot} refers to an unknown agent or kind");
            }

            if (meta.Ticks != ItemMeta.NoTime && (meta.Ticks < DateTimeOffset.MinValue.UtcTicks || meta.Ticks > DateTimeOffset.MaxValue.UtcTicks))
            {
                throw new InvalidDataException($"slot {slot} has an invalid timestamp");
            }

            if ((flags & DeletedFlag) == 0)
            {
                live++;
                Agents.AddLive(meta.Agent, 1);
                Kinds.AddLive(meta.Kind, 1);
            }
        }

        if (count > 0 && ((uint)entry >= (uint)count || Index.Graph.Level(entry) != maxLevel))
        {
            throw new InvalidDataException("the entry point is not a node of the top level");
        }

        if (count == 0 && entry != -1)
        {
            throw new InvalidDataException("an empty graph has an entry point");
        }

        Index.Graph.Validate(count, maxLevel);
        _live = live;
        _tombstones = count - live;
        Volatile.Write(ref _count, count);
        Index.Graph.SetEntry(entry, maxLevel);
    }

    private void MarkDeleted(int slot)
    {
        Volatile.Write(ref _flags.At(slot), (byte)(_flags.At(slot) | DeletedFlag));
        var meta = _meta.At(slot);
        Agents.AddLive(meta.Agent, -1);
        Kinds.AddLive(meta.Kind, -1);
        Volatile.Write(ref _live, _live - 1);
        Volatile.Write(ref _tombstones, _tombstones + 1);
    }
}
