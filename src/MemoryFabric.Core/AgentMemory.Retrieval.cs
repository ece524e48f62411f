using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

// Retrieval: query analysis → lexical candidates → pending items the query needs embedded on demand → dense
// candidates per level → reciprocal rank fusion → hierarchical expansion → superseded and expired items below their
// successors → priors → packing with diversity → rendering. A verbatim context is the history plus the matching notes.
// A query whose vector the embedder cannot start on within its deadline is ranked on lexical signals alone, and the
// answer says it is degraded (Retrieval/QueryVectorSource.cs).
public sealed partial class AgentMemory
{
    /// <summary>The largest token budget accepted.</summary>
    public const int MaxTokenBudget = 1_000_000;

    // Which note versions cite each turn: a turn takes the state of the notes drawn from it (kept by OnNoteStoreChange).
    private readonly NoteSourceIndex _noteSources = new();

    private QueryVectorSource? _queryVectors;

    // The query path's vectors (interactive, with the query's queue deadline).
    private QueryVectorSource QueryVectors => _queryVectors ??= new QueryVectorSource(EmbedAsync, _options.Retrieval.QueryEmbeddingDeadline);

    /// <inheritdoc />
    public async Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.context");
        ValidateQuery(request?.Query, nameof(request));
        var budget = request!.TokenBudget;
        if (budget <= 0 || budget > MaxTokenBudget)
        {
            throw new MemoryInputException($"The token budget must be between 1 and {MaxTokenBudget}; {budget} was given.", nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var characters = ContextTokens.Characters(budget);
        if (request.PreferVerbatimWhenItFits && HistoryFits(characters))
        {
            await ScreenHistoryByConsensusAsync(cancellationToken).ConfigureAwait(false); // the whole history is the candidate set
        }

        List<Ranked>? ranked = null;
        string? degraded = null;
        if (request.PreferVerbatimWhenItFits && HistoryFits(characters))
        {
            // The history fits: it goes in whole, with the notes that match the query (Retrieval/VerbatimPacker.cs).
            var asOf = request.QueryTime ?? _time.GetUtcNow();
            var turns = VerbatimTurns(new ItemStatusResolver(_notes, _noteSources, asOf));
            IReadOnlyList<ContextItem>? verbatim = turns;
            if (HasRetrievableNotes)
            {
                (ranked, degraded) = await RankAsync(request.Query, request.QueryTime, cancellationToken).ConfigureAwait(false);
                verbatim = VerbatimPacker.Pack(turns, ranked.Where(r => r.Kind == MemoryItemKind.Note).Select(r => r.Item), characters, _options.Retrieval.MinNovelty);
            }

            if (verbatim is not null)
            {
                // No recall reinforcement: a verbatim context shows everything that matches, it selects nothing (and
                // an agent that only serves such reads writes nothing).
                var (items, text) = ContextRenderer.Render(verbatim);
                return new MemoryContext(text, items, ContextTokens.Count(text), "verbatim")
                {
                    Explanation = request.Explain ? ExplainVerbatim(items, budget) : null,
                    Degraded = degraded is not null,
                    DegradedReason = degraded,
                };
            }
        }

        if (ranked is null)
        {
            (ranked, degraded) = await RankAsync(request.Query, request.QueryTime, cancellationToken).ConfigureAwait(false);
        }

        using var pack = Diagnostics.EngineTelemetry.Start("memoryfabric.retrieval.pack");
        var leftOut = request.Explain ? new Dictionary<ContextItem, string>(ReferenceEqualityComparer.Instance) : null;
        var packed = ContextPacker.Pack(ranked.Select(r => r.Item), characters, _options.Retrieval.MinNovelty, leftOut is null ? null : (item, why) => leftOut[item] = why);
        var (ordered, rendered) = ContextRenderer.Render(packed);
        if (_options.ReinforceOnRecall)
        {
            _recalls.Reinforce(_notes, ordered, _time.GetUtcNow());
        }

        return new MemoryContext(rendered, ordered, ContextTokens.Count(rendered), "retrieved")
        {
            Explanation = leftOut is null ? null : ExplainRetrieved(ranked, packed, leftOut, budget),
            Degraded = degraded is not null,
            DegradedReason = degraded,
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        (await GetSearchResponseAsync(request, cancellationToken).ConfigureAwait(false)).Hits;

    /// <summary>Searches turns, episodes and notes with hybrid retrieval, and says whether the answer is degraded:
    /// ranked on lexical signals alone because the embedder could not start on the query within
    /// <see cref="RetrievalOptions.QueryEmbeddingDeadline"/>.</summary>
    /// <param name="request">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first, and whether they are degraded.</returns>
    /// <exception cref="MemoryInputException">The query or limit is invalid.</exception>
    public async Task<SearchResponse> GetSearchResponseAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.search");
        ValidateQuery(request?.Query, nameof(request));
        if (request!.Limit is <= 0 or > 1000)
        {
            throw new MemoryInputException("The limit must be between 1 and 1000.", nameof(request));
        }

        var (ranked, degraded) = await RankAsync(request.Query, request.QueryTime, cancellationToken).ConfigureAwait(false);
        var kinds = request.Kinds is { Count: > 0 } k ? new HashSet<MemoryItemKind>(k) : null;
        var hits = ranked.Where(r => kinds is null || kinds.Contains(r.Item.Kind))
            .Take(request.Limit)
            .Select(r => new SearchHit(r.Item, r.LexicalRank, r.DenseRank))
            .ToList();
        return new SearchResponse(hits) { Degraded = degraded is not null, DegradedReason = degraded };
    }

    private static void ValidateQuery(string? query, string parameter)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new MemoryInputException("The query must not be empty.", parameter);
        }

        if (query.Length > 8_000)
        {
            throw new MemoryInputException($"The query has {query.Length} characters; the limit is 8000.", parameter);
        }
    }

    // The ranked candidates, and why the ranking is degraded (no query vector: lexical signals only), if it is.
    private async Task<(List<Ranked> Ranked, string? DegradedReason)> RankAsync(string query, DateTimeOffset? queryTime, CancellationToken cancellationToken)
    {
        var o = _options.Retrieval;
        var now = _time.GetUtcNow();
        var asOf = queryTime ?? now;
        var stage = Diagnostics.EngineTelemetry.NextStage(null, "memoryfabric.retrieval.embed_query");
        var analysis = QueryAnalyzer.Analyze(query, asOf, _participants);
        var (queryVector, degraded) = await QueryVectors.EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (degraded is not null)
        {
            stage?.SetTag("memoryfabric.degraded", degraded);
        }

        stage = Diagnostics.EngineTelemetry.NextStage(stage, "memoryfabric.retrieval.candidates");
        var k = o.CandidatesPerList;
        var noteLexical = NoteLexical.Search(analysis.Terms, k);
        var turnLexical = TurnLexical.Search(analysis.Terms, k);
        var passages = Passages.Search(analysis.Terms, id => _turns.ContainsKey(id) && !IsExcluded(id));
        var episodeLexical = EpisodeLexical.Search(analysis.Terms, k / 2);
        if (queryVector is not null && _pending.Count > 0 && o.PendingDenseScoringLimit > 0 && _pending.Count <= o.PendingDenseScoringBacklog)
        {
            // Read-after-write: what waits for its dense vector and this query needs is embedded now (not during a bulk
            // backlog, which the background batches work through while ranks are normalised over lexical alone).
            var onDemand = PendingDenseScoring.Select(
                PendingNewestFirst(),
                [Pending(MemoryItemKind.Note, noteLexical), Pending(MemoryItemKind.Turn, turnLexical), Pending(MemoryItemKind.Episode, episodeLexical)],
                item => _pending.Contains(item) && !IsExcluded(item.Id),
                o.PendingDenseScoringLimit);
            var embedded = await EmbedOnDemandAsync(onDemand, cancellationToken).ConfigureAwait(false);
            stage?.SetTag("memoryfabric.embedded_on_demand", embedded);
        }

        var fused = new Dictionary<(MemoryItemKind, string), Ranked>();
        Ranked Candidate(MemoryItemKind kind, string id)
        {
            if (!fused.TryGetValue((kind, id), out var r))
            {
                r = new Ranked(kind, id);
                fused[(kind, id)] = r;
            }

            return r;
        }

        void Fuse(MemoryItemKind kind, IReadOnlyList<ScoredKey<string>> hits, double weight, bool lexical)
        {
            for (var rank = 0; rank < hits.Count; rank++)
            {
                var r = Candidate(kind, hits[rank].Key);
                r.Score += weight / (o.RrfK + rank + 1);
                if (lexical)
                {
                    r.LexicalRank ??= rank + 1;
                }
                else
                {
                    r.DenseRank ??= rank + 1;
                }
            }
        }

        var denseWeight = o.DenseWeight ?? (_embedderIsLexical ? RetrievalOptions.LexicalEmbedderDenseWeight : RetrievalOptions.SemanticEmbedderDenseWeight);
        IReadOnlyList<ScoredKey<string>> Dense(TieredVectorIndex index, int count) =>
            queryVector is null ? [] : index.Search(queryVector, count); // degraded: lexical signals only

        // A large agent's turn candidates come partly from the external index (Retrieval/Offloading): asked first.
        IReadOnlyList<ScoredKey<string>> turnDense = [];
        if (queryVector is not null)
        {
            (turnDense, var unavailable) = await SearchTurnVectorsAsync(queryVector, k, cancellationToken).ConfigureAwait(false);
            degraded ??= unavailable;
        }

        Fuse(MemoryItemKind.Note, noteLexical, o.NoteWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Note, Dense(_noteDense, k), o.NoteWeight * denseWeight, lexical: false);
        Fuse(MemoryItemKind.Turn, turnLexical, o.TurnWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Turn, passages.Turns.Take(k).ToList(), o.TurnWeight * o.LexicalWeight * o.Passages.Weight, lexical: true); // long turns by their best passage
        Fuse(MemoryItemKind.Turn, turnDense, o.TurnWeight * denseWeight, lexical: false);
        Fuse(MemoryItemKind.Episode, episodeLexical, o.EpisodeWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Episode, Dense(_episodeDense, k / 2), o.EpisodeWeight * denseWeight, lexical: false);

        // Still pending (beyond the on-demand limit): never penalised for the dense signal it cannot have yet. (In a
        // degraded ranking no candidate has one: nothing to make up for.)
        if (_pending.Count > 0 && queryVector is not null)
        {
            foreach (var r in fused.Values)
            {
                if (r is { DenseRank: null, LexicalRank: { } lexicalRank } && IsPending(r.Kind, r.Id))
                {
                    r.Score += PendingDenseScoring.ImputedDenseShare(o.LexicalWeight, denseWeight, KindWeight(r.Kind) * o.LexicalWeight / (o.RrfK + lexicalRank));
                }
            }
        }

        // Hierarchical expansion: a note brings its source turns (and points into the long ones: PassageCues).
        var cues = new Retrieval.Passages.PassageCues(Passages);
        foreach (var r in fused.Values.Where(r => r.Kind == MemoryItemKind.Note).ToList())
        {
            var note = _notes.Get(r.Id)!;
            foreach (var turnId in note.Provenance.TurnIds)
            {
                if (!_turns.ContainsKey(turnId) || IsExcluded(turnId))
                {
                    continue;
                }

                var turn = Candidate(MemoryItemKind.Turn, turnId);
                cues.Offer(turnId, note.Text, r.Score);
                var lift = Passages.Contains(turnId) // a long turn counts its best note, not the sum of its many
                    ? Math.Max(0, (o.SourceTurnExpansion * r.Score) - turn.Expansion)
                    : o.SourceTurnExpansion * r.Score;
                turn.Score += lift;
                turn.Expansion += lift;
            }
        }

        var phatic = PhaticTurns();
        foreach (var r in fused.Values)
        {
            if (r.Kind == MemoryItemKind.Turn && phatic(r.Id))
            {
                r.Score *= o.PhaticMessages.Factor;
            }
        }

        LiftMessageBursts(fused.Values, Candidate, phatic, r => QueryPriors(r, analysis));

        // Superseded and expired items: their successors join (lifted to their score), they are demoted below them.
        var stale = StaleCandidates(fused, Candidate, new ItemStatusResolver(_notes, _noteSources, asOf));
        if (stale is not null)
        {
            StaleDemotion.Lift(stale);
        }

        stage = Diagnostics.EngineTelemetry.NextStage(stage, "memoryfabric.retrieval.rank");
        stage?.SetTag("memoryfabric.candidates", fused.Count);
        var results = new List<Ranked>(fused.Count);
        foreach (var r in fused.Values)
        {
            if (IsExcluded(r.Id))
            {
                continue; // belt and braces: quarantined items are not indexed
            }

            r.Item = Materialize(r, analysis, passages, cues, now);
            results.Add(r);
        }

        if (stale is not null)
        {
            StaleDemotion.Demote(stale, o.StaleItemFactor);
            foreach (var (r, _) in stale)
            {
                r.Item = r.Item with { Score = r.Score };
            }
        }

        results = await ScreenByConsensusAsync(results, cancellationToken).ConfigureAwait(false);
        results.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Id, b.Id));
        Diagnostics.EngineTelemetry.NextStage(stage, null);
        return (results, degraded);
    }

    // Short messages read together (Retrieval/MessageBursts.cs): the best-ranked short turns lift their short
    // neighbours to a share of their score, halved with each further place.
    private void LiftMessageBursts(IEnumerable<Ranked> candidates, Func<MemoryItemKind, string, Ranked> candidate, Func<string, bool> phatic, Func<Ranked, double> priors)
    {
        var bursts = _options.Retrieval.MessageBursts;
        if (bursts.Reach <= 0 || bursts.Anchors <= 0)
        {
            return;
        }

        // The best-ranked turns and notes anchor: a turn its own neighbours, a note those of the turns it was drawn from.
        // Ranked as the context will rank them, with the query's priors (a question about October picks October's).
        var anchors = candidates.Where(r => r.Kind != MemoryItemKind.Episode && !IsExcluded(r.Id))
            .Select(r => (Candidate: r, Rank: r.Score * priors(r)))
            .OrderByDescending(a => a.Rank).ThenBy(a => a.Candidate.Id, StringComparer.Ordinal)
            .Take(bursts.Anchors).Select(a => a.Candidate).ToList();
        foreach (var anchor in anchors)
        {
            var turnIds = anchor.Kind == MemoryItemKind.Turn ? [anchor.Id] : _notes.Get(anchor.Id)?.Provenance.TurnIds ?? [];
            foreach (var turnId in turnIds)
            {
                if (!TryLocate(turnId, out var session, out var index))
                {
                    continue;
                }

                foreach (var (neighbour, distance) in MessageBursts.Neighbours(session, index, bursts, t => !IsExcluded(t.Id)))
                {
                    var lifted = anchor.Score * bursts.Share * Math.Pow(0.5, distance - 1) * (phatic(neighbour.Id) ? _options.Retrieval.PhaticMessages.Factor : 1);
                    var r = candidate(MemoryItemKind.Turn, neighbour.Id);
                    if (lifted > r.Score)
                    {
                        r.Score = lifted;
                    }
                }
            }
        }
    }

    // Whether a turn states nothing (Retrieval/PhaticMessages.cs), judged once per query.
    private Func<string, bool> PhaticTurns()
    {
        var options = _options.Retrieval.PhaticMessages;
        var turns = TurnLexical.Count;
        if (options.Factor >= 1 || turns < options.MinTurns)
        {
            return static _ => false;
        }

        var judged = new Dictionary<string, bool>(StringComparer.Ordinal);
        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        int Frequency(string term)
        {
            if (!frequencies.TryGetValue(term, out var df))
            {
                df = TurnLexical.DocumentFrequency(term);
                frequencies[term] = df;
            }

            return df;
        }

        return id =>
        {
            if (!judged.TryGetValue(id, out var phatic))
            {
                phatic = _turns.TryGetValue(id, out var turn) && PhaticMessages.IsPhatic(turn, Frequency, turns, options);
                judged[id] = phatic;
            }

            return phatic;
        };
    }

    private static List<PendingItem> Pending(MemoryItemKind kind, IReadOnlyList<ScoredKey<string>> hits) =>
        hits.Select(h => new PendingItem(kind, h.Key)).ToList();

    private double KindWeight(MemoryItemKind kind) => kind switch
    {
        MemoryItemKind.Note => _options.Retrieval.NoteWeight,
        MemoryItemKind.Turn => _options.Retrieval.TurnWeight,
        _ => _options.Retrieval.EpisodeWeight,
    };

    // Gives every candidate its state; a stale one brings its successors (the active note that replaced it and that
    // note's retrievable source turns) in as candidates. Null when no candidate is stale.
    private List<(Ranked Stale, IReadOnlyList<Ranked> Successors)>? StaleCandidates(
        Dictionary<(MemoryItemKind, string), Ranked> fused, Func<MemoryItemKind, string, Ranked> candidate, ItemStatusResolver statuses)
    {
        List<(Ranked, IReadOnlyList<Ranked>)>? stale = null;
        foreach (var r in fused.Values.ToList())
        {
            r.State = statuses.Of(r.Kind, r.Id);
            if (!r.State.IsStale || IsExcluded(r.Id))
            {
                continue;
            }

            var successors = new List<Ranked>();
            if (r.State.Successor is { } note && !IsExcluded(note.Id))
            {
                successors.Add(candidate(MemoryItemKind.Note, note.Id));
                foreach (var turnId in note.Provenance.TurnIds)
                {
                    if (_turns.ContainsKey(turnId) && !IsExcluded(turnId))
                    {
                        successors.Add(candidate(MemoryItemKind.Turn, turnId));
                    }
                }
            }

            (stale ??= []).Add((r, successors));
        }

        if (stale is not null)
        {
            foreach (var (_, successors) in stale)
            {
                foreach (var successor in successors)
                {
                    successor.State = statuses.Of(successor.Kind, successor.Id); // a candidate that just joined
                    successor.Replaces = true;
                }
            }
        }

        return stale;
    }

    // Builds the item and applies priors: named person, time asked for, date range, note strength and importance.
    private ContextItem Materialize(Ranked r, QueryAnalysis analysis, Retrieval.Passages.PassageMatch passages, Retrieval.Passages.PassageCues cues, DateTimeOffset now)
    {
        ContextItem item;
        switch (r.Kind)
        {
            case MemoryItemKind.Note:
                var note = _notes.Get(r.Id)!;
                r.Score *= (0.85 + (0.15 * _curve.StrengthAt(note, now))) * (0.9 + (0.2 * note.Importance));
                item = NoteItem(note, r.Score);
                break;
            case MemoryItemKind.Turn:
                var turn = _turns[r.Id];
                item = Passages.Excerpt(turn.Id, passages, cues.TermsOf(turn.Id)) is { } excerpt // a long turn: its best passages, the whole turn by its id
                    ? new ContextItem(MemoryItemKind.Turn, turn.Id, ContextRenderer.Line(MemoryItemKind.Turn, excerpt, turn.Speaker), turn.Timestamp, [turn.Id], r.Score)
                    : TurnItem(turn, r.Score);
                break;
            default:
                item = EpisodeItem(_episodes[r.Id], r.Score);
                break;
        }

        r.Score *= QueryPriors(r, analysis);
        return WithState(item, r.State) with { Score = r.Score };
    }

    // What the query asks of an item besides its words: the person it names, "when", the date range it names.
    private double QueryPriors(string? person, DateTimeOffset when, bool dated, QueryAnalysis analysis)
    {
        var o = _options.Retrieval;
        var prior = 1.0;
        if (person is not null && analysis.NamedPeople.Contains(person, StringComparer.OrdinalIgnoreCase))
        {
            prior *= o.NamedPersonBoost;
        }

        if (analysis.AsksWhen && dated)
        {
            prior *= o.TemporalBoost;
        }

        if (analysis.DateRange is { } range)
        {
            var day = DateOnly.FromDateTime(when.DateTime);
            if (day >= range.From && day <= range.To)
            {
                prior *= o.DateRangeBoost;
            }
        }

        return prior;
    }

    // A candidate's query priors: by its speaker or subject, its time (a note's event, else its validity or creation;
    // only an event counts as dated), an episode by its start. Materialize applies them; the bursts rank anchors by them.
    private double QueryPriors(Ranked r, QueryAnalysis analysis) => r.Kind switch
    {
        MemoryItemKind.Turn when _turns.TryGetValue(r.Id, out var turn) => QueryPriors(turn.Speaker, turn.Timestamp, false, analysis),
        MemoryItemKind.Note when _notes.Get(r.Id) is { } note => QueryPriors(note.Subject, note.EventTime ?? note.ValidFrom ?? note.CreatedAt, note.EventTime is not null, analysis),
        MemoryItemKind.Episode when _episodes.TryGetValue(r.Id, out var episode) => QueryPriors(null, episode.Start, false, analysis),
        _ => 1.0,
    };

    private static ContextItem WithState(ContextItem item, ItemState state) =>
        state is { Status: MemoryItemStatus.Active, SupersededBy: null, ValidFrom: null, ValidTo: null }
            ? item
            : item with { Status = state.Status, SupersededBy = state.SupersededBy, ValidFrom = state.ValidFrom, ValidTo = state.ValidTo };

    // The turns a verbatim context may show: all but the quarantined ones.
    private IEnumerable<Turn> RetrievableTurns() => _quarantine.Count == 0 ? OrderedTurns() : OrderedTurns().Where(t => !IsExcluded(t.Id));

    private static ContextItem TurnItem(Turn turn, double score) =>
        new(MemoryItemKind.Turn, turn.Id, ContextRenderer.Line(MemoryItemKind.Turn, turn.Text, turn.Speaker), turn.Timestamp, [turn.Id], score);

    private static ContextItem NoteItem(Note note, double score) =>
        new(MemoryItemKind.Note, note.Id, ContextRenderer.Line(MemoryItemKind.Note, note.Text), note.ValidFrom ?? note.CreatedAt, note.Provenance.TurnIds, score);

    private static ContextItem EpisodeItem(Episode episode, double score) =>
        new(MemoryItemKind.Episode, episode.Id, ContextRenderer.Line(MemoryItemKind.Episode, episode.Summary), episode.Start, episode.SummaryTurnIds, score);

    // The history as a verbatim context shows it: every retrievable turn in conversation order, a turn identical to an
    // earlier one (the same speaker and normalised text, not a short reply) once; with each turn's state when asked.
    private List<ContextItem> VerbatimTurns(ItemStatusResolver? statuses)
    {
        var repeats = new RepeatFilter();
        var items = new List<ContextItem>();
        foreach (var turn in RetrievableTurns())
        {
            var item = TurnItem(turn, 0);
            if (!repeats.RepeatsOrAdd(item))
            {
                items.Add(statuses is null ? item : WithState(item, statuses.Of(MemoryItemKind.Turn, turn.Id)));
            }
        }

        return items;
    }

    // Whether a note can match a query: the active, unquarantined ones are lexically indexed (pending or not).
    private bool HasRetrievableNotes => NoteLexical.Count > 0;

    // Whether the history fits a budget, each repeated line counted once. The plain length is cached; the length
    // without repeats is measured only when it can matter (the plain history at most twice the budget), so a large
    // history costs nothing more.
    private bool HistoryFits(int characters) =>
        HistoryCharacters() is var plain && (plain <= characters
            || (plain <= 2L * characters && ContextRenderer.Render(VerbatimTurns(null)).Text.Length <= characters));

    private int HistoryCharacters()
    {
        if (_historyCharacters < 0)
        {
            _historyCharacters = ContextRenderer.Render(RetrievableTurns().Select(t => TurnItem(t, 0))).Text.Length;
        }

        return _historyCharacters;
    }

    private sealed class Ranked(MemoryItemKind kind, string id) : IScoredCandidate
    {
        public MemoryItemKind Kind { get; } = kind;

        public string Id { get; } = id;

        public double Score { get; set; }

        public int? LexicalRank { get; set; }

        public int? DenseRank { get; set; }

        public double Expansion { get; set; } // the share of its notes' scores it got by hierarchical expansion

        public ItemState State { get; set; } // superseded or expired, and by what (Retrieval/ItemStatusResolver.cs)

        public bool Replaces { get; set; } // it replaced a stale candidate (and was lifted to its score)

        public ContextItem Item { get; set; } = null!;
    }
}
