namespace MemoryFabric;

/// <summary>Options of an <see cref="AgentMemory"/>.</summary>
public sealed class AgentMemoryOptions
{
    /// <summary>The longest turn text accepted, in characters (default 32,000). Longer turns are rejected.</summary>
    public int MaxTurnTextLength { get; set; } = 32_000;

    /// <summary>The most turns one ingest call accepts (default 10,000).</summary>
    public int MaxBatchSize { get; set; } = 10_000;
}
