namespace MemoryFabric.VectorIndex;

/// <summary>The similarity a shard ranks by. Scores are higher for closer vectors.</summary>
public enum VectorMetric
{
    /// <summary>Cosine similarity: vectors and queries are normalized to unit length on the way in, and the score is
    /// their inner product.</summary>
    Cosine = 0,

    /// <summary>Inner product of the vectors as given (the caller normalizes them when it wants cosine).</summary>
    InnerProduct = 1,
}
