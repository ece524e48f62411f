using MemoryFabric.Decay;
using MemoryFabric.Guard;
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

    /// <summary>
    /// Whether dense embedding leaves the write path (default <see langword="false"/>). When
    /// <see langword="true"/>, ingested turns and notes written through the API are stored and indexed lexically
    /// (searchable at once) and queued for dense embedding, and so are the episodes and notes a consolidation
    /// creates; the host embeds the queue in batches with <see cref="AgentMemory.EmbedPendingAsync"/>. A search or
    /// context embeds the few pending items it needs on demand first (<see cref="RetrievalOptions.PendingDenseScoringLimit"/>)
    /// and ranks any others on the signals they have, so a write is found the moment it is acknowledged. Queries are
    /// still embedded when searched.
    /// </summary>
    public bool DeferEmbedding { get; set; }

    /// <summary>The guard: write-time screening, quarantine and lessons (on by default).</summary>
    public MemoryGuardOptions Guard { get; set; } = new();
}
