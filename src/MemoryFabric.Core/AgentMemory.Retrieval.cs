using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

// Retrieval: query analysis → lexical + dense candidates per level → reciprocal rank fusion with priors →
// hierarchical expansion → packing with diversity → rendering.
public sealed partial class AgentMemory
{
    /// <summary>The largest token budget accepted.</summary>
    public const int MaxTokenBudget = 1_000_000;

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
        if (request.PreferVerbatimWhenItFits && HistoryCharacters() <= characters)
        {
            await ScreenHistoryByConsensusAsync(cancellationToken).ConfigureAwait(false); // the whole history is the candidate set
        }

        if (request.PreferVerbatimWhenItFits && HistoryCharacters() <= characters)
        {
            var (items, text) = ContextRenderer.Render(RetrievableTurns().Select(t => TurnItem(t, 0)));
            return new MemoryContext(text, items, ContextTokens.Count(text), "verbatim")
            {
                Explanation = request.Explain ? ExplainVerbatim(items, budget) : null,
            };
        }

        var ranked = await RankAsync(request.Query, request.QueryTime, cancellationToken).ConfigureAwait(false);
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
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTelemetry.Start("memoryfabric.engine.search");
        ValidateQuery(request?.Query, nameof(request));
        if (request!.Limit is <= 0 or > 1000)
        {
            throw new MemoryInputException("The limit must be between 1 and 1000.", nameof(request));
        }

        var ranked = await RankAsync(request.Query, request.QueryTime, cancellationToken).ConfigureAwait(false);
        var kinds = request.Kinds is { Count: > 0 } k ? new HashSet<MemoryItemKind>(k) : null;
        return ranked.Where(r => kinds is null || kinds.Contains(r.Item.Kind))
            .Take(request.Limit)
            .Select(r => new SearchHit(r.Item, r.LexicalRank, r.DenseRank))
            .ToList();
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

    private async Task<List<Ranked>> RankAsync(string query, DateTimeOffset? queryTime, CancellationToken cancellationToken)
    {
        var o = _options.Retrieval;
        var now = _time.GetUtcNow();
        var stage = Diagnostics.EngineTelemetry.NextStage(null, "memoryfabric.retrieval.embed_query");
        var analysis = QueryAnalyzer.Analyze(query, queryTime ?? now, _participants);
        var queryVector = (await EmbedAsync([query], cancellationToken).ConfigureAwait(false))[0];
        cancellationToken.ThrowIfCancellationRequested();

        var fused = new Dictionary<(MemoryItemKind, string), Ranked>();
        void Fuse(MemoryItemKind kind, IReadOnlyList<ScoredKey<string>> hits, double weight, bool lexical)
        {
            for (var rank = 0; rank < hits.Count; rank++)
            {
                var key = (kind, hits[rank].Key);
                if (!fused.TryGetValue(key, out var r))
                {
                    r = new Ranked(kind, hits[rank].Key);
                    fused[key] = r;
                }

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

        stage = Diagnostics.EngineTelemetry.NextStage(stage, "memoryfabric.retrieval.candidates");
        var k = o.CandidatesPerList;
        var denseWeight = o.DenseWeight ?? (_embedderIsLexical ? RetrievalOptions.LexicalEmbedderDenseWeight : RetrievalOptions.SemanticEmbedderDenseWeight);
        Fuse(MemoryItemKind.Note, _noteLexical.Search(analysis.Terms, k), o.NoteWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Note, _noteDense.Search(queryVector, k), o.NoteWeight * denseWeight, lexical: false);
        Fuse(MemoryItemKind.Turn, _turnLexical.Search(analysis.Terms, k), o.TurnWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Turn, _turnDense.Search(queryVector, k), o.TurnWeight * denseWeight, lexical: false);
        Fuse(MemoryItemKind.Episode, _episodeLexical.Search(analysis.Terms, k / 2), o.EpisodeWeight * o.LexicalWeight, lexical: true);
        Fuse(MemoryItemKind.Episode, _episodeDense.Search(queryVector, k / 2), o.EpisodeWeight * denseWeight, lexical: false);

        // Hierarchical expansion: a note brings its source turns.
        foreach (var r in fused.Values.Where(r => r.Kind == MemoryItemKind.Note).ToList())
        {
            var note = _notes.Get(r.Id)!;
            foreach (var turnId in note.Provenance.TurnIds)
            {
                if (!_turns.ContainsKey(turnId) || IsExcluded(turnId))
                {
                    continue;
                }

                var key = (MemoryItemKind.Turn, turnId);
                if (!fused.TryGetValue(key, out var turn))
                {
                    turn = new Ranked(MemoryItemKind.Turn, turnId);
                    fused[key] = turn;
                }

                turn.Score += o.SourceTurnExpansion * r.Score;
                turn.Expansion += o.SourceTurnExpansion * r.Score;
            }
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

            r.Item = Materialize(r, analysis, now);
            results.Add(r);
        }

        results = await ScreenByConsensusAsync(results, cancellationToken).ConfigureAwait(false);
        results.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Id, b.Id));
        Diagnostics.EngineTelemetry.NextStage(stage, null);
        return results;
    }

    // Builds the item and applies priors: named person, time asked for, date range, note strength and importance.
    private ContextItem Materialize(Ranked r, QueryAnalysis analysis, DateTimeOffset now)
    {
        var o = _options.Retrieval;
        ContextItem item;
        string? person;
        DateTimeOffset when;
        var dated = false;
        switch (r.Kind)
        {
            case MemoryItemKind.Note:
                var note = _notes.Get(r.Id)!;
                person = note.Subject;
                when = note.EventTime ?? note.ValidFrom ?? note.CreatedAt;
                dated = note.EventTime is not null;
                r.Score *= (0.85 + (0.15 * _curve.StrengthAt(note, now))) * (0.9 + (0.2 * note.Importance));
                item = NoteItem(note, r.Score);
                break;
            case MemoryItemKind.Turn:
                var turn = _turns[r.Id];
                person = turn.Speaker;
                when = turn.Timestamp;
                item = TurnItem(turn, r.Score);
                break;
            default:
                var episode = _episodes[r.Id];
                person = null;
                when = episode.Start;
                item = EpisodeItem(episode, r.Score);
                break;
        }

        if (person is not null && analysis.NamedPeople.Contains(person, StringComparer.OrdinalIgnoreCase))
        {
            r.Score *= o.NamedPersonBoost;
        }

        if (analysis.AsksWhen && dated)
        {
            r.Score *= o.TemporalBoost;
        }

        if (analysis.DateRange is { } range)
        {
            var day = DateOnly.FromDateTime(when.DateTime);
            if (day >= range.From && day <= range.To)
            {
                r.Score *= o.DateRangeBoost;
            }
        }

        return item with { Score = r.Score };
    }

    // The turns a verbatim context may show: all but the quarantined ones.
    private IEnumerable<Turn> RetrievableTurns() => _quarantine.Count == 0 ? OrderedTurns() : OrderedTurns().Where(t => !IsExcluded(t.Id));

    private static ContextItem TurnItem(Turn turn, double score) =>
        new(MemoryItemKind.Turn, turn.Id, ContextRenderer.Line(MemoryItemKind.Turn, turn.Text, turn.Speaker), turn.Timestamp, [turn.Id], score);

    private static ContextItem NoteItem(Note note, double score) =>
        new(MemoryItemKind.Note, note.Id, ContextRenderer.Line(MemoryItemKind.Note, note.Text), note.ValidFrom ?? note.CreatedAt, note.Provenance.TurnIds, score);

    private static ContextItem EpisodeItem(Episode episode, double score) =>
        new(MemoryItemKind.Episode, episode.Id, ContextRenderer.Line(MemoryItemKind.Episode, episode.Summary), episode.Start, episode.SummaryTurnIds, score);

    private int HistoryCharacters()
    {
        if (_historyCharacters < 0)
        {
            _historyCharacters = ContextRenderer.Render(RetrievableTurns().Select(t => TurnItem(t, 0))).Text.Length;
        }

        return _historyCharacters;
    }

    private sealed class Ranked(MemoryItemKind kind, string id)
    {
        public MemoryItemKind Kind { get; } = kind;

        public string Id { get; } = id;

        public double Score { get; set; }

        public int? LexicalRank { get; set; }

        public int? DenseRank { get; set; }

        public double Expansion { get; set; } // the share of its notes' scores it got by hierarchical expansion

        public ContextItem Item { get; set; } = null!;
    }
}
