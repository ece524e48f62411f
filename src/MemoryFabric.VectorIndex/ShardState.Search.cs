using System.Numerics.Tensors;
using MemoryFabric.VectorIndex.Filtering;
using MemoryFabric.VectorIndex.Hnsw;

namespace MemoryFabric.VectorIndex;

/// <summary>How a search was answered (for tests and diagnostics).</summary>
internal enum SearchPath
{
    /// <summary>Nothing to search or nothing can match.</summary>
    None,

    /// <summary>HNSW over the int8 codes, then exact re-ranking.</summary>
    Graph,

    /// <summary>HNSW with the filter applied to results, then exact re-ranking.</summary>
    FilteredGraph,

    /// <summary>An exact scan over the matching items.</summary>
    ExactScan,
}

/// <content>Searching.</content>
internal sealed partial class ShardState
{
    private const int SelectivitySamples = 512;

    /// <summary>Searches (any thread, under a lease).</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">The filter, or null.</param>
    /// <param name="efSearch">The beam width.</param>
    /// <param name="path">How the search was answered.</param>
    /// <returns>The hits, best first.</returns>
    public List<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorFilter? filter, int efSearch, out SearchPath path)
    {
        path = SearchPath.None;
        if (query.Length != Options.Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; the shard has {Options.Dimensions}.", nameof(query));
        }

        var (entry, entryLevel) = Index.Graph.Entry;
        var limit = SlotCount;
        if (limit == 0 || k <= 0 || entry < 0)
        {
            return [];
        }

        var context = _pool.Rent();
        try
        {
            if (!PrepareQuery(query, context.Vector))
            {
                return [];
            }

            var ef = Math.Max(efSearch, k);
            if (filter is null || filter.IsEmpty)
            {
                var live = new LiveFilter(this);
                Index.SetQuery(context, context.Vector);
                Index.Search(context, entry, entryLevel, limit, ef, ref live);
                path = SearchPath.Graph;
                return Rerank(context, k);
            }

            var compiled = CompiledFilter.Compile(this, filter);
            if (compiled.MatchesNothing)
            {
                return [];
            }

            var estimate = EstimateMatches(in compiled, limit);
            var threshold = Math.Max(Options.FilterExactScanMaxMatches, Options.FilterExactScanRatio * LiveCount);
            if (estimate <= threshold)
            {
                path = SearchPath.ExactScan;
                return ExactScan(context.Vector, k, ref compiled, limit);
            }

            Index.SetQuery(context, context.Vector);
            Index.Search(context, entry, entryLevel, limit, ef, ref compiled);
            if (context.Results.Count < k)
            {
                // Fewer matches were reachable than asked for: the estimate was too high. An exact scan is correct.
                path = SearchPath.ExactScan;
                return ExactScan(context.Vector, k, ref compiled, limit);
            }

            path = SearchPath.FilteredGraph;
            return Rerank(context, k);
        }
        finally
        {
            _pool.Return(context);
        }
    }

    /// <summary>Exact search over every live (and matching) item.</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">The filter, or null.</param>
    /// <returns>The hits, best first.</returns>
    public List<VectorHit> SearchExact(ReadOnlySpan<float> query, int k, VectorFilter? filter)
    {
        var vector = new float[Options.Dimensions];
        var limit = SlotCount;
        if (query.Length != Options.Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; the shard has {Options.Dimensions}.", nameof(query));
        }

        if (limit == 0 || k <= 0)
        {
            return [];
        }

        if (!PrepareQuery(query, vector))
        {
            return [];
        }

        if (filter is null || filter.IsEmpty)
        {
            var live = new LiveFilter(this);
            return ExactScan(vector, k, ref live, limit);
        }

        var compiled = CompiledFilter.Compile(this, filter);
        return compiled.MatchesNothing ? [] : ExactScan(vector, k, ref compiled, limit);
    }

    /// <summary>Normalizes (cosine) or copies the query; false for a zero or non-finite query.</summary>
    private bool PrepareQuery(ReadOnlySpan<float> query, float[] destination)
    {
        if (query.Length != Options.Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; the shard has {Options.Dimensions}.", nameof(query));
        }

        query.CopyTo(destination);
        var norm = TensorPrimitives.Norm(query);
        if (!float.IsFinite(norm))
        {
            throw new ArgumentException("The query has a non-finite component.", nameof(query));
        }

        if (norm == 0)
        {
            return false;
        }

        if (Options.Metric == VectorMetric.Cosine)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }

        return true;
    }

    private double EstimateMatches(in CompiledFilter filter, int limit)
    {
        if (!filter.HasTime && !filter.HasBothSets)
        {
            return filter.UpperBound;
        }

        var step = Math.Max(1, limit / SelectivitySamples);
        var sampled = 0;
        var matched = 0;
        for (var slot = step / 2; slot < limit; slot += step)
        {
            sampled++;
            if (filter.Accept(slot))
            {
                matched++;
            }
        }

        var estimate = sampled == 0 ? 0 : (double)matched / sampled * limit;
        return Math.Min(filter.UpperBound, estimate);
    }

    private List<VectorHit> Rerank(SearchContext context, int k)
    {
        var candidates = context.Results.Items;
        var query = context.Vector;
        var scored = new (float Score, int Slot)[candidates.Length];
        var scratch = NewVectorScratch();
        for (var i = 0; i < candidates.Length; i++)
        {
            var slot = candidates[i].Node;
            scored[i] = (TensorPrimitives.Dot(query, FullVector(slot, scratch)), slot);
        }

        Array.Sort(scored, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Slot.CompareTo(b.Slot));
        var count = Math.Min(k, scored.Length);
        var hits = new List<VectorHit>(count);
        for (var i = 0; i < count; i++)
        {
            hits.Add(new VectorHit(Keys.Key(scored[i].Slot), scored[i].Score));
        }

        return hits;
    }

    private List<VectorHit> ExactScan<TFilter>(float[] query, int k, ref TFilter filter, int limit)
        where TFilter : struct, INodeFilter
    {
        var heap = new DistanceHeap(max: true, k + 1);
        var scratch = NewVectorScratch();
        for (var slot = 0; slot < limit; slot++)
        {
            if (!filter.Accept(slot))
            {
                continue;
            }

            var distance = -TensorPrimitives.Dot(query, FullVector(slot, scratch));
            if (heap.Count < k)
            {
                heap.Push(new Scored(distance, slot));
            }
            else if (distance < heap.Top.Distance || (distance == heap.Top.Distance && slot < heap.Top.Node))
            {
                heap.ReplaceTop(new Scored(distance, slot));
            }
        }

        var items = heap.Items.ToArray();
        Array.Sort(items, static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Node.CompareTo(b.Node));
        var hits = new List<VectorHit>(items.Length);
        foreach (var item in items)
        {
            hits.Add(new VectorHit(Keys.Key(item.Node), -item.Distance));
        }

        return hits;
    }
}
