namespace MemoryFabric.Orleans.Agents;

/// <summary>Options of <see cref="AgentMemoryGrain"/>: when consolidation runs and how dense indexing keeps up. They are
/// read when an agent activates, so a change reaches existing agents on their next activation (the periodic reminder
/// is registered again when its period differs from <see cref="ConsolidationPeriod"/>).</summary>
public sealed class AgentMemoryGrainOptions
{
    /// <summary>The period of the durable consolidation reminder. Default: one hour.</summary>
    public TimeSpan ConsolidationPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Consolidate once this many turns arrived since the last consolidation. Default: 1,000.</summary>
    public int ConsolidateAfterTurns { get; set; } = 1_000;

    /// <summary>The delay between reaching <see cref="ConsolidateAfterTurns"/> and consolidating (a durable one-shot
    /// reminder, so a crash doesn't lose it). Default: one second.</summary>
    public TimeSpan ConsolidationDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Consolidate a session once it has received no turn for this long, so that its open episode becomes
    /// notes without waiting for <see cref="ConsolidationPeriod"/> or <see cref="ConsolidateAfterTurns"/> (a grain
    /// timer that keeps no agent in memory). <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/>
    /// turns it off. Default: 60 seconds.</summary>
    public TimeSpan SessionIdleConsolidation { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most time one turn of the agent spends applying a consolidation's plan (the plan itself is made
    /// off the agent's turn); a larger plan is applied over several turns, with the agent's other calls served in
    /// between. Default: 10 ms.</summary>
    public TimeSpan ConsolidationTurnBudget { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How many pending items one dense-indexing turn embeds. Smaller batches let searches interleave sooner.
    /// Default: 32.</summary>
    public int EmbeddingBatchSize { get; set; } = 32;

    /// <summary>The delay between a write and the dense indexing of what it stored. Default: 20 ms.</summary>
    public TimeSpan EmbeddingDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Bounds how many agents embed at once (shared by all agents of a host); none when
    /// <see langword="null"/>.</summary>
    public DenseIndexingGate? IndexingGate { get; set; }

    /// <summary>How many turns an import hands the engine at a time; at most the engine's
    /// <c>AgentMemoryOptions.MaxBatchSize</c> (the server sets both from its <c>MaxBatchSize</c>). Default: 1,000.</summary>
    public int ImportBatchSize { get; set; } = 1_000;

    /// <summary>Write a snapshot once the journal holds this many entries past the last one, even without
    /// consolidation (bounds activation time). Default: 256.</summary>
    public int SnapshotAfterJournalEntries { get; set; } = 256;

    /// <summary>The delay between a change of the agent and the write of its card (<see cref="Catalog.AgentCard"/>,
    /// the figures <c>GET /v1/agents</c> lists), so that a burst of writes costs one card write. Default: one
    /// second.</summary>
    public TimeSpan CardDelay { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (CardDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CardDelay), CardDelay, "Must not be negative.");
        }

        if (ConsolidationPeriod < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConsolidationPeriod), ConsolidationPeriod, "The consolidation period is at least one second.");
        }

        if ((SessionIdleConsolidation < TimeSpan.Zero && SessionIdleConsolidation != Timeout.InfiniteTimeSpan) || SessionIdleConsolidation > TimeSpan.FromDays(30))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionIdleConsolidation), SessionIdleConsolidation, "Must be between 0 (off) and 30 days, or infinite (off).");
        }

        if (ConsolidationTurnBudget <= TimeSpan.Zero && ConsolidationTurnBudget != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConsolidationTurnBudget), ConsolidationTurnBudget, "Must be positive, or infinite (one turn).");
        }

        if (ConsolidateAfterTurns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ConsolidateAfterTurns), ConsolidateAfterTurns, "Must be at least 1.");
        }

        if (ImportBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ImportBatchSize), ImportBatchSize, "Must be at least 1.");
        }

        if (EmbeddingBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingBatchSize), EmbeddingBatchSize, "Must be at least 1.");
        }

        if (SnapshotAfterJournalEntries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotAfterJournalEntries), SnapshotAfterJournalEntries, "Must be at least 1.");
        }
    }

    /// <summary>How long the agent trusts its copy of the tenant's guard policy (on/off, relation groups) before asking
    /// the tenant's guard actor again (default 30 s; a policy change through the API refreshes at once).</summary>
    public TimeSpan GuardPolicyRefresh { get; set; } = TimeSpan.FromSeconds(30);
}
