using System.Runtime.CompilerServices;

namespace MemoryFabric.VectorIndex.Hnsw;

/// <summary>A (distance, node) pair; smaller distances are closer.</summary>
/// <param name="Distance">The distance (negated similarity).</param>
/// <param name="Node">The node.</param>
internal readonly record struct Scored(float Distance, int Node);

/// <summary>
/// A binary heap of <see cref="Scored"/> on a reusable array: a min-heap (closest on top) or a max-heap (farthest on
/// top), chosen at construction.
/// </summary>
internal sealed class DistanceHeap
{
    private readonly bool _max;
    private Scored[] _items;

    /// <summary>Creates a heap.</summary>
    /// <param name="max">Whether the farthest item is on top.</param>
    /// <param name="capacity">The initial capacity.</param>
    public DistanceHeap(bool max, int capacity = 64)
    {
        _max = max;
        _items = new Scored[capacity];
    }

    /// <summary>The number of items.</summary>
    public int Count { get; private set; }

    /// <summary>The top item.</summary>
    public Scored Top => _items[0];

    /// <summary>The items in heap order (not sorted).</summary>
    public ReadOnlySpan<Scored> Items => _items.AsSpan(0, Count);

    /// <summary>Removes every item.</summary>
    public void Clear() => Count = 0;

    /// <summary>Adds an item.</summary>
    /// <param name="item">The item.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(Scored item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        var items = _items;
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(item, items[parent]))
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = item;
    }

    /// <summary>Removes and returns the top item.</summary>
    /// <returns>The item.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scored Pop()
    {
        var items = _items;
        var top = items[0];
        var last = items[--Count];
        var n = Count;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && Before(items[child + 1], items[child]))
            {
                child++;
            }

            if (!Before(items[child], last))
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        if (n > 0)
        {
            items[i] = last;
        }

        return top;
    }

    /// <summary>Replaces the top item (equivalent to Pop then Push, cheaper).</summary>
    /// <param name="item">The new item.</param>
    public void ReplaceTop(Scored item)
    {
        var items = _items;
        var n = Count;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && Before(items[child + 1], items[child]))
            {
                child++;
            }

            if (!Before(items[child], item))
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        items[i] = item;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Before(Scored a, Scored b) => _max ? a.Distance > b.Distance : a.Distance < b.Distance;
}
