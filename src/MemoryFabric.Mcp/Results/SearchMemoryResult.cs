using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>What <c>search_memory</c> found.</summary>
/// <param name="Agent">The agent searched.</param>
/// <param name="Hits">The hits, best first.</param>
/// <param name="Truncated">Whether hits were left out to keep the result within its character cap.</param>
public sealed record SearchMemoryResult(
    [property: Description("The agent searched.")] string Agent,
    [property: Description("The hits, best first.")] IReadOnlyList<MemoryHit> Hits,
    [property: Description("Whether hits were left out to keep the result within its size cap; ask a narrower query or a lower limit.")] bool Truncated);
