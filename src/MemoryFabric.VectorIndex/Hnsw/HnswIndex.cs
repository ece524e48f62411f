using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MemoryFabric.VectorIndex.Quantization;
using MemoryFabric.VectorIndex.Storage;

namespace MemoryFabric.VectorIndex.Hnsw;

/// <summary>Decides which nodes a search may return (tombstones and filters); all nodes are still traversed.</summary>
internal interface INodeFilter
{
    /// <summary>Whether a node may be returned.</summary>
    /// <param name="node">The node.</param>
    /// <returns>Whether it may.</returns>
    bool Accept(int node);
}

/// <summary>Accepts every node (construction).</summary>
internal readonly struct AcceptAll : INodeFilter
{
    /// <inheritdoc />
    public bool Accept(int node) => true;
}

/// <summary>
/// HNSW over int8 codes (Malkov and Yashunin; the layout and the neighbour-selection heuristic follow hnswlib's
/// <c>searchBaseLayer</c> and <c>getNeighborsByHeuristic2</c>). Distances are negated approximate inner products
/// computed from the codes; construction and traversal never touch the float32 vectors.
/// </summary>
internal sealed unsafe class HnswIndex
{
    private const int MaxLevel = 30;

    private readonly SlotArray<sbyte> _codes;
    private readonly SlotArray<QuantParams> _params = new(1);
    private readonly Random _levels;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimensions">The dimensions.</param>
    /// <param name="m">HNSW's M.</param>
    /// <param name="efConstruction">The construction candidate-list size.</param>
    /// <param name="seed">The level generator's seed.</param>
    public HnswIndex(int dimensions, int m, int efConstruction, int seed)
    {
        Dimensions = dimensions;
        RowBytes = Int8Quantizer.RowBytes(dimensions);
        EfConstruction = efConstruction;
        Graph = new HnswGraph(m);
        _codes = new SlotArray<sbyte>(RowBytes);
#pragma warning disable CA5394 // Level generation is not security-sensitive; it must be seedable.
        _levels = new Random(seed);
#pragma warning restore CA5394
    }

    /// <summary>The dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>The padded code row length.</summary>
    public int RowBytes { get; }

    /// <summary>The construction candidate-list size.</summary>
    public int EfConstruction { get; }

    /// <summary>The graph.</summary>
    public HnswGraph Graph { get; }

    /// <summary>The bytes allocated (codes, quantization parameters, graph).</summary>
    public long AllocatedBytes => CodeBytes + ParamBytes + Graph.AllocatedBytes;

    /// <summary>The bytes allocated for int8 codes.</summary>
    public long CodeBytes => _codes.AllocatedBytes;

    /// <summary>The bytes allocated for quantization parameters.</summary>
    public long ParamBytes => _params.AllocatedBytes;

    /// <summary>Creates a search context sized for this index.</summary>
    /// <returns>The context.</returns>
    public SearchContext CreateContext() => new(RowBytes, Dimensions, Graph.M0);

    /// <summary>Makes room for nodes (writer only).</summary>
    /// <param name="slots">The number of nodes.</param>
    public void EnsureCapacity(int slots)
    {
        _codes.EnsureCapacity(slots);
        _params.EnsureCapacity(slots);
        Graph.EnsureCapacity(slots);
    }

    /// <summary>Draws a level for a new node (writer only).</summary>
    /// <returns>The level.</returns>
    public int RandomLevel()
    {
#pragma warning disable CA5394 // See the constructor.
        var u = 1.0 - _levels.NextDouble();
#pragma warning restore CA5394
        return Math.Min(MaxLevel, (int)(-Math.Log(u) * Graph.LevelMultiplier));
    }

    /// <summary>Quantizes and stores a node's vector (writer only).</summary>
    /// <param name="node">The node.</param>
    /// <param name="vector">The vector.</param>
    public void SetVector(int node, ReadOnlySpan<float> vector) =>
        _params.At(node) = Int8Quantizer.Quantize(vector, new Span<sbyte>(_codes.Pointer(node), RowBytes));

    /// <summary>The codes of a node.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The row.</returns>
    public ReadOnlySpan<sbyte> Codes(int node) => new(_codes.Pointer(node), RowBytes);

    /// <summary>Decodes a node's int8 codes into floats (code · 1 / scale): its vector as the index holds it.</summary>
    /// <param name="node">The node.</param>
    /// <param name="destination">Receives <see cref="Dimensions"/> floats.</param>
    public void Decode(int node, Span<float> destination)
    {
        var codes = new ReadOnlySpan<sbyte>(_codes.Pointer(node), Dimensions);
        var invScale = _params.At(node).InvScale;
        destination = destination[..Dimensions];
        for (var i = 0; i < codes.Length; i++)
        {
            destination[i] = codes[i] * invScale;
        }
    }

    /// <summary>Whether a vector quantizes to exactly a node's codes and scale.</summary>
    /// <param name="node">The node.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="scratch">A row of <see cref="RowBytes"/> bytes to quantize into.</param>
    /// <returns>Whether they are the same.</returns>
    public bool HoldsSameCodes(int node, ReadOnlySpan<float> vector, Span<sbyte> scratch)
    {
        var parameters = Int8Quantizer.Quantize(vector, scratch[..RowBytes]);
        return parameters.InvScale == _params.At(node).InvScale && scratch[..RowBytes].SequenceEqual(Codes(node));
    }

    /// <summary>Prepares a context's query from a float vector.</summary>
    /// <param name="context">The context.</param>
    /// <param name="query">The query (already normalized when the metric is cosine).</param>
    public void SetQuery(SearchContext context, ReadOnlySpan<float> query)
    {
        var codes = context.SignedCodes.AsSpan(0, RowBytes);
        var parameters = Int8Quantizer.Quantize(query, codes);
        context.QueryInvScale = parameters.InvScale;
        fixed (sbyte* pointer = codes)
        {
            BiasCodes((byte*)pointer, context.QueryCodes);
        }
    }

    /// <summary>Prepares a context's query from a stored node.</summary>
    /// <param name="context">The context.</param>
    /// <param name="node">The node.</param>
    public void SetQuery(SearchContext context, int node)
    {
        context.QueryInvScale = _params.At(node).InvScale;
        BiasCodes((byte*)_codes.Pointer(node), context.QueryCodes);
    }

    /// <summary>The approximate distance from the context's query to a node.</summary>
    /// <param name="context">The context.</param>
    /// <param name="node">The node.</param>
    /// <returns>The negated approximate inner product.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(SearchContext context, int node)
    {
        ref var p = ref _params.At(node);
        var dot = Int8Kernels.DotQuery(context.QueryCodes, _codes.Pointer(node), RowBytes, p.Bias);
        return -(dot * (p.InvScale * context.QueryInvScale));
    }

    /// <summary>The approximate distance between two stored nodes.</summary>
    /// <param name="a">One node.</param>
    /// <param name="b">The other.</param>
    /// <returns>The negated approximate inner product.</returns>
    public float Distance(int a, int b)
    {
        ref var pb = ref _params.At(b);
        var dot = Int8Kernels.DotSigned(_codes.Pointer(a), _codes.Pointer(b), RowBytes, pb.Bias);
        return -(dot * (_params.At(a).InvScale * pb.InvScale));
    }

    /// <summary>Asks the cache for every line of a node's codes and its parameters, so that a distance computed a little
    /// later reads them from cache instead of waiting on memory (the graph's walk is a chain of such misses).</summary>
    /// <param name="node">The node.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(int node)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var row = (byte*)_codes.Pointer(node);
        for (var offset = 0; offset < RowBytes; offset += 64)
        {
            Sse.Prefetch0(row + offset);
        }

        Sse.Prefetch0(_params.Pointer(node));
    }

    /// <summary>
    /// Searches for the <paramref name="ef"/> closest accepted nodes to the context's query among nodes
    /// [0, <paramref name="limit"/>): greedy descent through the upper layers, then a beam search on layer 0. The
    /// result is left in <see cref="SearchContext.Results"/> (farthest on top).
    /// </summary>
    /// <typeparam name="TFilter">The acceptance test.</typeparam>
    /// <param name="context">The context (query set).</param>
    /// <param name="entryNode">The entry point.</param>
    /// <param name="entryLevel">Its level.</param>
    /// <param name="limit">Nodes at or above this are ignored.</param>
    /// <param name="ef">The beam width.</param>
    /// <param name="filter">The acceptance test.</param>
    public void Search<TFilter>(SearchContext context, int entryNode, int entryLevel, int limit, int ef, ref TFilter filter)
        where TFilter : struct, INodeFilter
    {
        context.Results.Clear();
        if (entryNode < 0 || entryNode >= limit)
        {
            return;
        }

        var current = entryNode;
        var currentDistance = Distance(context, current);
        for (var level = entryLevel; level > 0; level--)
        {
            Greedy(context, ref current, ref currentDistance, level, limit);
        }

        SearchLayer(context, current, currentDistance, 0, ef, limit, ref filter);
    }

    /// <summary>
    /// Links a node whose vector and lists are set into the graph (writer only; nodes [0, node) are in the graph).
    /// The entry point is not changed here: the caller publishes the node first, then the entry point when this
    /// returns <see langword="true"/>, so that a reader never sees an entry point it cannot use.
    /// </summary>
    /// <param name="context">The writer's context.</param>
    /// <param name="node">The node.</param>
    /// <param name="level">Its level.</param>
    /// <returns>Whether the node becomes the entry point (its level is above the current top, or the graph was
    /// empty).</returns>
    public bool Insert(SearchContext context, int node, int level)
    {
        var (entry, maxLevel) = Graph.Entry;
        if (entry < 0)
        {
            return true;
        }

        SetQuery(context, node);
        var current = entry;
        var currentDistance = Distance(context, current);
        for (var l = maxLevel; l > level; l--)
        {
            Greedy(context, ref current, ref currentDistance, l, node);
        }

        var acceptAll = default(AcceptAll);
        for (var l = Math.Min(level, maxLevel); l >= 0; l--)
        {
            SearchLayer(context, current, currentDistance, l, EfConstruction, node, ref acceptAll);
            var sorted = context.Sorted;
            sorted.Clear();
            foreach (var item in context.Results.Items)
            {
                sorted.Add(item);
            }

            sorted.Sort(static (a, b) => a.Distance.CompareTo(b.Distance));
            current = sorted[0].Node;
            currentDistance = sorted[0].Distance;
            SelectNeighbours(sorted, Graph.M, context.Selected);
            Connect(context, node, l);
        }

        return level > maxLevel;
    }

    /// <summary>Writes the codes and parameters of nodes [0, count) chunk by chunk (snapshot).</summary>
    /// <param name="count">The nodes.</param>
    /// <returns>The code chunks.</returns>
    public IEnumerable<Memory<sbyte>> CodeChunks(int count) => _codes.Chunks(count);

    /// <summary>The parameter chunks (snapshot).</summary>
    /// <param name="count">The nodes.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<QuantParams>> ParamChunks(int count) => _params.Chunks(count);

    /// <summary>Biases signed codes by 128 into unsigned ones.</summary>
    /// <param name="source">The signed codes.</param>
    /// <param name="destination">The biased codes.</param>
    private void BiasCodes(byte* source, byte* destination)
    {
        var flip = Vector256.Create((byte)0x80);
        for (var i = 0; i < RowBytes; i += 32)
        {
            (Vector256.Load(source + i) ^ flip).Store(destination + i);
        }
    }

    private void Greedy(SearchContext context, ref int current, ref float currentDistance, int level, int limit)
    {
        var capacity = Graph.Capacity(level);
        var changed = true;
        while (changed)
        {
            changed = false;
            var count = HnswGraph.ReadList(Graph.List(current, level), capacity, context.Neighbours);
            for (var i = 0; i < count; i++)
            {
                var id = context.Neighbours[i];
                if ((uint)id >= (uint)limit)
                {
                    continue;
                }

                var d = Distance(context, id);
                if (d < currentDistance)
                {
                    currentDistance = d;
                    current = id;
                    changed = true;
                }
            }
        }
    }

    private void SearchLayer<TFilter>(SearchContext context, int entry, float entryDistance, int level, int ef, int limit, ref TFilter filter)
        where TFilter : struct, INodeFilter
    {
        var visited = context.Visited;
        var candidates = context.Candidates;
        var results = context.Results;
        visited.Reset(limit);
        candidates.Clear();
        results.Clear();
        visited.TestAndSet(entry);
        var lowerBound = float.MaxValue;
        if (filter.Accept(entry))
        {
            results.Push(new Scored(entryDistance, entry));
            lowerBound = entryDistance;
        }

        candidates.Push(new Scored(entryDistance, entry));
        var capacity = Graph.Capacity(level);
        var neighbours = context.Neighbours;
        var fresh = context.Fresh;
        while (candidates.Count > 0)
        {
            var candidate = candidates.Top;
            if (candidate.Distance > lowerBound && results.Count >= ef)
            {
                break;
            }

            candidates.Pop();
            if (Sse.IsSupported && candidates.Count > 0)
            {
                // The list most likely expanded next (unless a neighbour below comes closer): on its way while this
                // one's distances are computed.
                var next = (byte*)Graph.List(candidates.Top.Node, level);
                Sse.Prefetch0(next);
                Sse.Prefetch0(next + 64);
                Sse.Prefetch0(next + 128);
            }

            var count = HnswGraph.ReadList(Graph.List(candidate.Node, level), capacity, neighbours);
            var freshCount = 0;
            for (var i = 0; i < count; i++)
            {
                var id = neighbours[i];
                if ((uint)id >= (uint)limit || visited.TestAndSet(id))
                {
                    continue;
                }

                fresh[freshCount++] = id;
                Prefetch(id);
            }

            for (var i = 0; i < freshCount; i++)
            {
                var id = fresh[i];
                var d = Distance(context, id);
                if (results.Count < ef || d < lowerBound)
                {
                    candidates.Push(new Scored(d, id));
                    if (filter.Accept(id))
                    {
                        if (results.Count < ef)
                        {
                            results.Push(new Scored(d, id));
                        }
                        else
                        {
                            results.ReplaceTop(new Scored(d, id));
                        }

                        lowerBound = results.Top.Distance;
                    }
                }
            }
        }
    }

    /// <summary>hnswlib's getNeighborsByHeuristic2: keep a candidate only if it is closer to the base than to every
    /// neighbour already kept.</summary>
    private void SelectNeighbours(List<Scored> sorted, int max, List<Scored> selected)
    {
        selected.Clear();
        if (sorted.Count <= max)
        {
            selected.AddRange(sorted);
            return;
        }

        foreach (var candidate in sorted)
        {
            if (selected.Count >= max)
            {
                break;
            }

            var good = true;
            foreach (var kept in selected)
            {
                if (Distance(candidate.Node, kept.Node) < candidate.Distance)
                {
                    good = false;
                    break;
                }
            }

            if (good)
            {
                selected.Add(candidate);
            }
        }
    }

    private void Connect(SearchContext context, int node, int level)
    {
        var selected = context.Selected;
        var ids = context.Ids;
        ids.Clear();
        foreach (var s in selected)
        {
            ids.Add(s.Node);
        }

        HnswGraph.WriteList(Graph.List(node, level), CollectionsMarshal.AsSpan(ids));
        var capacity = Graph.Capacity(level);
        foreach (var s in selected)
        {
            var neighbour = s.Node;
            var list = Graph.List(neighbour, level);
            var count = list[1];
            if (count < capacity)
            {
                HnswGraph.AppendToList(list, node);
                continue;
            }

            var sorted = context.Sorted;
            sorted.Clear();
            sorted.Add(new Scored(s.Distance, node));
            for (var i = 0; i < count; i++)
            {
                var other = list[2 + i];
                sorted.Add(new Scored(Distance(neighbour, other), other));
            }

            sorted.Sort(static (a, b) => a.Distance.CompareTo(b.Distance));
            var kept = context.Pruned;
            SelectNeighbours(sorted, capacity, kept);
            ids.Clear();
            foreach (var k in kept)
            {
                ids.Add(k.Node);
            }

            HnswGraph.WriteList(list, CollectionsMarshal.AsSpan(ids));
        }
    }
}
