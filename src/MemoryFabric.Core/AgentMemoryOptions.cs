using MemoryFabric.Decay;
using MemoryFabric.Retrieval;
using MemoryFabric.Segmentation;

namespace MemoryFabric;

/// <summary>Options of an <see cref="AgentMemory"/>.</summary>
public sealed class AgentMemoryOptions
{
    /// <summary>The longest turn text accepted, in characters (default 32,000). Longer turns are rejected.</summary>
    public int MaxTurnTextLength { get; set; } = 32_000;

    /// <summary>The most turns one ingest call accepts (default 10,000).</summary>
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>The longest note text accepted, in characters (default 4,000).</summary>
    public int MaxNoteTextLength { get; set; } = 4_000;

    /// <summary>Segmentation options.</summary>
    public EpisodeSegmenterOptions Segmentation { get; set; } = new();

    /// <summary>Decay options.</summary>
    public ForgettingCurveOptions Decay { get; set; } = new();

    /// <summary>Retrieval and context-building options.</summary>
    public RetrievalOptions Retrieval { get; set; } = new();

    /// <summary>Whether notes included in a context are reinforced (recall resets their forgetting curve). Default
    /// <see langword="true"/>.</summary>
    public bool ReinforceOnRecall { get; set; } = true;
}
