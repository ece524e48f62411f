namespace MemoryFabric.Benchmarks.Consensus;

/// <summary>The settings of <c>memfab bench consensus</c>.</summary>
public sealed record ConsensusBenchmarkOptions
{
    /// <summary>Agents in the relation group (default 50).</summary>
    public int Agents { get; init; } = 50;

    /// <summary>Trusted notes each agent holds (default 40), each a (subject, attribute, value) claim.</summary>
    public int NotesPerAgent { get; init; } = 40;

    /// <summary>Subjects the notes are about (default: agents × notes per agent / 10, at least 10), the first ones
    /// chosen far more often, so that popular subjects are shared by many agents.</summary>
    public int? Subjects { get; init; }

    /// <summary>How often an agent's value for a (subject, attribute) differs from the one most agents hold (default
    /// 0.2): trusted agents that disagree.</summary>
    public double Disagreement { get; init; } = 0.2;

    /// <summary>Weak claims looked up through both paths (default 200).</summary>
    public int Queries { get; init; } = 200;

    /// <summary>Lookups through both paths before the measured ones (default 20, not counted).</summary>
    public int WarmUp { get; init; } = 20;

    /// <summary>Dimensions of the hashing embedder (default 384, as MiniLM's).</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Shards of the tenant index (default 4, the fabric's default).</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Note hits per subject through the shards (the tenant index's <c>ConsensusCandidates</c>, default 400).</summary>
    public int Candidates { get; init; } = new MemoryFabric.Orleans.TenantIndex.TenantIndexOptions().ConsensusCandidates;

    /// <summary>The seed of the synthetic facts and claims.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Progress lines, or none.</summary>
    public TextWriter? Progress { get; init; }
}
