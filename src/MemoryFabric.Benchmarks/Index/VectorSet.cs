namespace MemoryFabric.Benchmarks.Index;

/// <summary>Base vectors and query vectors, row-major, unit length.</summary>
/// <param name="Name">The dataset name.</param>
/// <param name="Description">How it was made.</param>
/// <param name="Dimensions">The dimensions.</param>
/// <param name="Base">The base vectors: count × dimensions.</param>
/// <param name="Queries">The queries: query count × dimensions.</param>
public sealed record VectorSet(string Name, string Description, int Dimensions, float[] Base, float[] Queries)
{
    /// <summary>The number of base vectors.</summary>
    public int Count => Base.Length / Dimensions;

    /// <summary>The number of queries.</summary>
    public int QueryCount => Queries.Length / Dimensions;

    /// <summary>A base vector.</summary>
    /// <param name="i">Its index.</param>
    /// <returns>The row.</returns>
    public ReadOnlySpan<float> Row(int i) => Base.AsSpan(i * Dimensions, Dimensions);

    /// <summary>A query.</summary>
    /// <param name="i">Its index.</param>
    /// <returns>The row.</returns>
    public ReadOnlySpan<float> Query(int i) => Queries.AsSpan(i * Dimensions, Dimensions);
}
