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

    /// <summary>With <see cref="AgentMemoryOptions.DeferEmbedding"/>, the most items still waiting for their dense
    /// vector that one search or context embeds on demand (the newest, then the ones found lexically), so that a
    /// write is ranked like any other item the moment it is acknowledged (default 8; 0 turns it off). The vectors
    /// are kept: the background batch does not compute them again. Pending items beyond it have their fusion
    /// normalised over the signals they have instead.</summary>
    public int PendingDenseScoringLimit { get; set; } = 8;

    /// <summary>The most pending items for which a query still embeds on demand (default 32). A longer queue is a bulk
    /// backlog (an import, a consolidation's new notes and episodes) that the background batches work through: each
    /// query embedding up to <see cref="PendingDenseScoringLimit"/> of it would slow every search while it lasts, so
    /// the pending items are ranked on the signals they have instead.</summary>
    public int PendingDenseScoringBacklog { get; set; } = 32;

    /// <summary>How long a search or context may wait for the embedder to start on its query (the queue, not the
    /// encoding): the query asks for its vector as <see cref="Embeddings.EmbeddingPriority.Interactive"/> with this
    /// queue deadline. When the embedder cannot start in time (a scheduler such as the server's answers
    /// <see cref="Embeddings.EmbeddingDeadlineExceededException"/>, or refuses at once with
    /// <see cref="Embeddings.EmbedderOverloadedException"/>), the query is ranked on its lexical signals and the dense
    /// vectors the memory already holds are not searched; the answer says so (<see cref="MemoryContext.Degraded"/>,
    /// <c>SearchResponse.Degraded</c>) and embeds nothing on demand. An embedder that schedules nothing (the hashed
    /// one, MiniLM called directly) ignores the deadline: nothing is ever degraded. Default 5 ms;
    /// <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.Zero"/> turns it off (the query waits its turn,
    /// and an overloaded embedder's refusal reaches the caller).</summary>
    public TimeSpan QueryEmbeddingDeadline { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The share of its score a superseded or expired item keeps (default 0.5); it is also ranked below the
    /// active note that replaced it and that note's source turns, which are lifted to at least its score.</summary>
    public double StaleItemFactor { get; set; } = 0.5;

    /// <summary>How long turns are indexed as passages and packed as excerpts (issue 27).</summary>
    public Passages.PassageOptions Passages { get; set; } = new();

    /// <summary>Short messages read together: a short turn's neighbours join the candidates beside it
    /// (<see cref="MessageBursts"/>).</summary>
    public MessageBurstOptions MessageBursts { get; set; } = new();

    /// <summary>Messages that state nothing ("lol", "nooo"), ranked below those that do (<see cref="PhaticMessages"/>).</summary>
    public PhaticMessageOptions PhaticMessages { get; set; } = new();

    /// <summary>An item is skipped when less than this share of its terms is new to the context (diversity; default 0.35).</summary>
    public double MinNovelty { get; set; } = 0.35;
}
