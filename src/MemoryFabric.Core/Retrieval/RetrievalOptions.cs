namespace MemoryFabric.Retrieval;

/// <summary>Retrieval and context-building options.</summary>
public sealed class RetrievalOptions
{
    /// <summary>Candidates taken from each list (lexical and dense, per level) before fusion (default 40).</summary>
    public int CandidatesPerList { get; set; } = 40;

    /// <summary>The reciprocal-rank-fusion constant k (default 60).</summary>
    public int RrfK { get; set; } = 60;

    /// <summary>Weight of the lexical (BM25) lists in fusion (default 1).</summary>
    public double LexicalWeight { get; set; } = 1.0;

    /// <summary>The dense weight picked for the hashed embedder, whose features overlap BM25's (0.4).</summary>
    public const double LexicalEmbedderDenseWeight = 0.4;

    /// <summary>The dense weight picked for a sentence encoder such as MiniLM (1.2).</summary>
    public const double SemanticEmbedderDenseWeight = 1.2;

    /// <summary>Weight of the dense lists in fusion. <see langword="null"/> (the default) picks by embedder:
    /// <see cref="LexicalEmbedderDenseWeight"/> for the hashed embedder, <see cref="SemanticEmbedderDenseWeight"/>
    /// for any other (measured on LoCoMo dev: the hashed embedder loses 0.02 evidence recall at 1.2, MiniLM gains
    /// 0.04 over 0.4).</summary>
    public double? DenseWeight { get; set; }

    /// <summary>A level (turns, episodes or notes) of one agent's memory switches its dense search from exact to
    /// HNSW (<see cref="TieredVectorIndex"/>) once it holds this many vectors. Default 20,000.</summary>
    public int ApproximateSearchThreshold { get; set; } = 20_000;

    /// <summary>HNSW's candidate-list size once a level's dense search is approximate. Default 64.</summary>
    public int ApproximateSearchEf { get; set; } = 64;

    /// <summary>Weight of notes in fusion (default 1).</summary>
    public double NoteWeight { get; set; } = 1.0;

    /// <summary>Weight of turns in fusion (default 0.9).</summary>
    public double TurnWeight { get; set; } = 0.9;

    /// <summary>Weight of episode summaries in fusion, the best-effort fallback (default 0.3).</summary>
    public double EpisodeWeight { get; set; } = 0.3;

    /// <summary>Share of a note's score passed to its source turns (hierarchical expansion; default 0.25).</summary>
    public double SourceTurnExpansion { get; set; } = 0.25;

    /// <summary>Boost for items by or about a person the query names (default 1.15).</summary>
    public double NamedPersonBoost { get; set; } = 1.15;

    /// <summary>Boost for dated items when the query asks when (default 1.2).</summary>
    public double TemporalBoost { get; set; } = 1.2;

    /// <summary>Boost for items inside a date range the query names (default 1.5).</summary>
    public double DateRangeBoost { get; set; } = 1.5;

    /// <summary>An item is skipped when less than this share of its terms is new to the context (diversity; default 0.35).</summary>
    public double MinNovelty { get; set; } = 0.35;
}
