using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MemoryFabric.VectorIndex.Storage;

namespace MemoryFabric.VectorIndex.Hnsw;

/// <summary>A node's level and where its upper-layer links are.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NodeInfo
{
    /// <summary>The offset of the node's upper-layer block in the upper arena (unused on level 0).</summary>
    public int UpperOffset;

    /// <summary>The node's top layer.</summary>
    public int Level;
}

/// <summary>
/// The links of an HNSW graph. Layer 0 is a flat array of fixed-size lists, one per node: [version, count, M0 ids].
/// Upper layers live in an append-only arena: a node of level L owns L consecutive lists of [version, count, M ids].
/// Lists are published with a sequence lock: the single writer makes the version odd, rewrites, then makes it even;
/// readers copy the list and retry if the version changed, so they never see a torn list.
/// </summary>
internal sealed unsafe class HnswGraph
{
    private const int UpperChunkShift = 14;
    private const int UpperChunkInts = 1 << UpperChunkShift;

    private readonly SlotArray<int> _level0;
    private readonly SlotArray<NodeInfo> _nodes = new(1);
    private int[][] _upper = [];
    private nint[] _upperPointers = [];
    private int _upperUsed;
    private long _entry = -1;

    /// <summary>Creates an empty graph.</summary>
    /// <param name="m">Links per node on upper layers.</param>
    public HnswGraph(int m)
    {
        M = m;
        M0 = 2 * m;
        _level0 = new SlotArray<int>(M0 + 2);
        LevelMultiplier = 1 / Math.Log(m);
    }

    /// <summary>Links per node on upper layers.</summary>
    public int M { get; }

    /// <summary>Links per node on layer 0.</summary>
    public int M0 { get; }

    /// <summary>mL = 1 / ln M: level = floor(-ln U · mL).</summary>
    public double LevelMultiplier { get; }

    /// <summary>The ints of the upper arena in use.</summary>
    public int UpperUsed => _upperUsed;

    /// <summary>The entry point and the top level, or (-1, -1) for an empty graph.</summary>
    public (int Node, int Level) Entry
    {
        get
        {
            var packed = Volatile.Read(ref _entry);
            return packed < 0 ? (-1, -1) : ((int)(packed & 0xFFFF_FFFF), (int)(packed >> 32));
        }
    }

    /// <summary>The bytes allocated.</summary>
    public long AllocatedBytes => Level0Bytes + NodeBytes + UpperBytes;

    /// <summary>The bytes allocated for layer-0 lists.</summary>
    public long Level0Bytes => _level0.AllocatedBytes;

    /// <summary>The bytes allocated for node levels and upper offsets.</summary>
    public long NodeBytes => _nodes.AllocatedBytes;

    /// <summary>The bytes allocated for upper-layer lists.</summary>
    public long UpperBytes => (long)_upper.Length * UpperChunkInts * sizeof(int);

    /// <summary>Publishes the entry point (writer only).</summary>
    /// <param name="node">The node.</param>
    /// <param name="level">Its level.</param>
    public void SetEntry(int node, int level) => Volatile.Write(ref _entry, node < 0 ? -1 : ((long)level << 32) | (uint)node);

    /// <summary>Makes room for nodes (writer only).</summary>
    /// <param name="slots">The number of nodes.</param>
    public void EnsureCapacity(int slots)
    {
        _level0.EnsureCapacity(slots);
        _nodes.EnsureCapacity(slots);
    }

    /// <summary>Initializes a new node with empty lists (writer only; the node is not yet reachable).</summary>
    /// <param name="node">The node.</param>
    /// <param name="level">Its level.</param>
    public void AddNode(int node, int level)
    {
        var list = _level0.Pointer(node);
        list[0] = 0;
        list[1] = 0;
        var upperOffset = 0;
        if (level > 0)
        {
            var ints = level * (M + 2);
            var chunk = _upperUsed >> UpperChunkShift;
            var offset = _upperUsed & (UpperChunkInts - 1);
            if (chunk == _upper.Length || offset + ints > UpperChunkInts)
            {
                if (chunk < _upper.Length)
                {
                    chunk++;
                    offset = 0;
                }

                if (chunk == _upper.Length)
                {
                    AddUpperChunk();
                }
            }

            upperOffset = (chunk << UpperChunkShift) | offset;
            new Span<int>(UpperPointer(upperOffset), ints).Clear();
            _upperUsed = upperOffset + ints;
        }

        _nodes.At(node) = new NodeInfo { UpperOffset = upperOffset, Level = level };
    }

    /// <summary>A node's level.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The level.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Level(int node) => _nodes.At(node).Level;

    /// <summary>The list of a node on a layer: [version, count, ids...].</summary>
    /// <param name="node">The node.</param>
    /// <param name="level">The layer (at most the node's level).</param>
    /// <returns>A pointer to the list.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* List(int node, int level)
    {
        if (level == 0)
        {
            return _level0.Pointer(node);
        }

        return UpperPointer(_nodes.At(node).UpperOffset + ((level - 1) * (M + 2)));
    }

    /// <summary>The capacity of lists on a layer.</summary>
    /// <param name="level">The layer.</param>
    /// <returns>M0 on layer 0, M above.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Capacity(int level) => level == 0 ? M0 : M;

    /// <summary>Copies a list without tearing (readers).</summary>
    /// <param name="list">The list.</param>
    /// <param name="capacity">Its capacity.</param>
    /// <param name="destination">At least <paramref name="capacity"/> ints.</param>
    /// <returns>The number of ids copied.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadList(int* list, int capacity, int* destination)
    {
        ref var version = ref Unsafe.AsRef<int>(list);
        while (true)
        {
            var before = Volatile.Read(ref version);
            if ((before & 1) != 0)
            {
                Thread.SpinWait(1);
                continue;
            }

            var count = list[1];
            if ((uint)count > (uint)capacity)
            {
                count = capacity;
            }

            for (var i = 0; i < count; i++)
            {
                destination[i] = list[2 + i];
            }

            Volatile.ReadBarrier();
            if (Volatile.Read(ref version) == before)
            {
                return count;
            }
        }
    }

    /// <summary>Replaces a list (writer only).</summary>
    /// <param name="list">The list.</param>
    /// <param name="ids">The new ids (at most the list's capacity).</param>
    public static void WriteList(int* list, ReadOnlySpan<int> ids)
    {
        ref var version = ref Unsafe.AsRef<int>(list);
        var current = version;
        Interlocked.Exchange(ref version, current + 1);
        list[1] = ids.Length;
        ids.CopyTo(new Span<int>(list + 2, ids.Length));
        Volatile.Write(ref version, current + 2);
    }

    /// <summary>Appends an id to a list that has room (writer only).</summary>
    /// <param name="list">The list.</param>
    /// <param name="id">The id.</param>
    public static void AppendToList(int* list, int id)
    {
        ref var version = ref Unsafe.AsRef<int>(list);
        var current = version;
        Interlocked.Exchange(ref version, current + 1);
        var count = list[1];
        list[2 + count] = id;
        list[1] = count + 1;
        Volatile.Write(ref version, current + 2);
    }

    /// <summary>The layer-0 lists and node infos of nodes [0, count), chunk by chunk (snapshot).</summary>
    /// <param name="count">The nodes.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<int>> Level0Chunks(int count) => _level0.Chunks(count);

    /// <summary>The node infos, chunk by chunk (snapshot).</summary>
    /// <param name="count">The nodes.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<NodeInfo>> NodeChunks(int count) => _nodes.Chunks(count);

    /// <summary>The upper arena, chunk by chunk (snapshot).</summary>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<int>> UpperChunks()
    {
        for (var start = 0; start < _upperUsed; start += UpperChunkInts)
        {
            yield return _upper[start >> UpperChunkShift].AsMemory(0, Math.Min(UpperChunkInts, _upperUsed - start));
        }
    }

    /// <summary>Makes room for an upper arena of <paramref name="ints"/> ints (snapshot load).</summary>
    /// <param name="ints">The arena length.</param>
    public void RestoreUpper(int ints)
    {
        while ((long)_upper.Length * UpperChunkInts < ints)
        {
            AddUpperChunk();
        }

        _upperUsed = ints;
    }

    /// <summary>
    /// Checks the structure after a snapshot load: levels in range, upper blocks inside the arena, counts within
    /// capacity, links pointing at existing nodes, versions even.
    /// </summary>
    /// <param name="count">The nodes.</param>
    /// <param name="maxLevel">The top level.</param>
    /// <exception cref="InvalidDataException">Something is out of range.</exception>
    public void Validate(int count, int maxLevel)
    {
        for (var node = 0; node < count; node++)
        {
            var info = _nodes.At(node);
            if (info.Level < 0 || info.Level > maxLevel)
            {
                throw new InvalidDataException($"node {node} has level {info.Level} (top level {maxLevel})");
            }

            if (info.Level > 0)
            {
                var start = info.UpperOffset;
                var ints = info.Level * (M + 2);
                if (start < 0 || (long)start + ints > _upperUsed || (start & (UpperChunkInts - 1)) + ints > UpperChunkInts)
                {
                    throw new InvalidDataException($"node {node} has its upper links outside the arena");
                }
            }

            for (var level = 0; level <= info.Level; level++)
            {
                var list = List(node, level);
                if ((list[0] & 1) != 0 || (uint)list[1] > (uint)Capacity(level))
                {
                    throw new InvalidDataException($"node {node} has a malformed link list on layer {level}");
                }

                for (var i = 0; i < list[1]; i++)
                {
                    var target = list[2 + i];
                    if ((uint)target >= (uint)count || Level(target) < level)
                    {
                        throw new InvalidDataException($"node {node} links to a missing node on layer {level}");
                    }
                }
            }
        }
    }

    /// <summary>Makes room for nodes and returns their layer-0 lists and infos for bulk loading.</summary>
    /// <param name="count">The nodes.</param>
    public void RestoreNodes(int count) => EnsureCapacity(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* UpperPointer(int offset)
    {
        var chunk = (int*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_upperPointers), offset >> UpperChunkShift);
        return chunk + (offset & (UpperChunkInts - 1));
    }

    private void AddUpperChunk()
    {
        var count = _upper.Length;
        var upper = new int[count + 1][];
        var pointers = new nint[count + 1];
        Array.Copy(_upper, upper, count);
        Array.Copy(_upperPointers, pointers, count);
        upper[count] = GC.AllocateArray<int>(UpperChunkInts, pinned: true);
        pointers[count] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(upper[count]));
        Volatile.Write(ref _upperPointers, pointers);
        _upper = upper;
    }
}
