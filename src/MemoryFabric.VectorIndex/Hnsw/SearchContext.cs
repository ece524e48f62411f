using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MemoryFabric.VectorIndex.Hnsw;

/// <summary>
/// The scratch state of one search or insertion: the visited set, the two heaps, the quantized query and buffers.
/// Pooled per shard (one in use per thread at a time); the writer has its own.
/// </summary>
internal sealed unsafe class SearchContext
{
    private readonly byte[] _query;
    private readonly int[] _neighbours;
    private readonly int[] _fresh;

    /// <summary>Creates a context.</summary>
    /// <param name="rowBytes">The padded int8 row length.</param>
    /// <param name="dimensions">The dimensions.</param>
    /// <param name="maxLinks">The largest list capacity (M0).</param>
    public SearchContext(int rowBytes, int dimensions, int maxLinks)
    {
        _query = GC.AllocateArray<byte>(rowBytes, pinned: true);
        QueryCodes = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_query));
        _neighbours = GC.AllocateArray<int>(maxLinks + 1, pinned: true);
        Neighbours = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_neighbours));
        _fresh = GC.AllocateArray<int>(maxLinks + 1, pinned: true);
        Fresh = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_fresh));
        Vector = new float[dimensions];
        SignedCodes = new sbyte[rowBytes];
    }

    /// <summary>The query's int8 codes biased by 128 (unsigned), zero-padded.</summary>
    public byte* QueryCodes { get; }

    /// <summary>1 / the query's quantization scale.</summary>
    public float QueryInvScale { get; set; }

    /// <summary>A buffer for a neighbour list.</summary>
    public int* Neighbours { get; }

    /// <summary>A buffer for the unvisited part of a neighbour list.</summary>
    public int* Fresh { get; }

    /// <summary>The (normalized) float32 query.</summary>
    public float[] Vector { get; }

    /// <summary>A buffer for signed codes.</summary>
    public sbyte[] SignedCodes { get; }

    /// <summary>The visited set.</summary>
    public VisitedSet Visited { get; } = new();

    /// <summary>Candidates to expand, closest on top.</summary>
    public DistanceHeap Candidates { get; } = new(max: false);

    /// <summary>The best nodes found, farthest on top.</summary>
    public DistanceHeap Results { get; } = new(max: true);

    /// <summary>Scratch lists for neighbour selection.</summary>
    public List<Scored> Sorted { get; } = [];

    /// <summary>Scratch list of selected neighbours.</summary>
    public List<Scored> Selected { get; } = [];

    /// <summary>Scratch list of the neighbours kept when a full list is pruned.</summary>
    public List<Scored> Pruned { get; } = [];

    /// <summary>Scratch ids.</summary>
    public List<int> Ids { get; } = [];
}

/// <summary>A small lock-free pool of search contexts.</summary>
internal sealed class SearchContextPool
{
    private readonly SearchContext?[] _items = new SearchContext?[Math.Max(4, Environment.ProcessorCount * 2)];
    private readonly Func<SearchContext> _factory;

    /// <summary>Creates a pool.</summary>
    /// <param name="factory">Creates a context when the pool is empty.</param>
    public SearchContextPool(Func<SearchContext> factory) => _factory = factory;

    /// <summary>Takes a context.</summary>
    /// <returns>The context.</returns>
    public SearchContext Rent()
    {
        for (var i = 0; i < _items.Length; i++)
        {
            var item = Interlocked.Exchange(ref _items[i], null);
            if (item is not null)
            {
                return item;
            }
        }

        return _factory();
    }

    /// <summary>Gives a context back.</summary>
    /// <param name="context">The context.</param>
    public void Return(SearchContext context)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], context, null) is null)
            {
                return;
            }
        }
    }
}
