namespace MemoryFabric.VectorIndex.Hnsw;

/// <summary>
/// Which nodes a search has visited: a generation-stamped array, so starting a new search is O(1) (bump the
/// generation) except once every 65,535 searches.
/// </summary>
internal sealed class VisitedSet
{
    private ushort[] _marks = [];
    private ushort _generation;

    /// <summary>Starts a search over nodes [0, <paramref name="count"/>).</summary>
    /// <param name="count">The number of nodes.</param>
    public void Reset(int count)
    {
        if (_marks.Length < count)
        {
            _marks = new ushort[Math.Max(count, _marks.Length + (_marks.Length >> 1))];
            _generation = 0;
        }

        if (++_generation == 0)
        {
            Array.Clear(_marks);
            _generation = 1;
        }
    }

    /// <summary>Marks a node; returns whether it was already marked.</summary>
    /// <param name="node">The node.</param>
    /// <returns>Whether it was visited before.</returns>
    public bool TestAndSet(int node)
    {
        ref var mark = ref _marks[node];
        if (mark == _generation)
        {
            return true;
        }

        mark = _generation;
        return false;
    }

    /// <summary>The bytes allocated.</summary>
    public long AllocatedBytes => _marks.Length * sizeof(ushort);
}
