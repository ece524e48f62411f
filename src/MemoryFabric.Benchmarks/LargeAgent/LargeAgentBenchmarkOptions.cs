namespace MemoryFabric.Benchmarks.LargeAgent;

/// <summary>The settings of <c>memfab bench large-agent</c>.</summary>
public sealed record LargeAgentBenchmarkOptions
{
    /// <summary>Turns each of the two agents holds (default 100,000).</summary>
    public int Turns { get; init; } = 100_000;

    /// <summary>The large-agent threshold the offloading agent runs with (default: the fabric's,
    /// <see cref="MemoryFabric.Orleans.TenantIndex.TenantIndexOptions.LargeAgentTurnVectors"/>).</summary>
    public int Threshold { get; init; } = new MemoryFabric.Orleans.TenantIndex.TenantIndexOptions().LargeAgentTurnVectors;

    /// <summary>The shards' candidate-list size for the offloading agent's searches (default: the fabric's,
    /// <see cref="MemoryFabric.Orleans.TenantIndex.TenantIndexOptions.LargeAgentEfSearch"/>).</summary>
    public int EfSearch { get; init; } = new MemoryFabric.Orleans.TenantIndex.TenantIndexOptions().LargeAgentEfSearch;

    /// <summary>Searches measured on each agent (default 200), after <see cref="WarmUp"/> more.</summary>
    public int Queries { get; init; } = 200;

    /// <summary>Searches before the measured ones (default 20, not counted).</summary>
    public int WarmUp { get; init; } = 20;

    /// <summary>Dimensions of the hashing embedder (default 384, as MiniLM's).</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Shards of the tenant index (default 4, the fabric's default).</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Turns per write (default 500).</summary>
    public int Batch { get; init; } = 500;

    /// <summary>The seed of the synthetic conversation and queries.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Progress lines, or none.</summary>
    public TextWriter? Progress { get; init; }
}
