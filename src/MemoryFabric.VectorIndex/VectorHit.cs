namespace MemoryFabric.VectorIndex;

/// <summary>One search result.</summary>
/// <param name="Key">The item's key.</param>
/// <param name="Score">The exact similarity to the query (cosine or inner product, from the float32 vectors), higher is
/// closer.</param>
public readonly record struct VectorHit(string Key, float Score);
