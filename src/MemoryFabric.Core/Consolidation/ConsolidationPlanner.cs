using System.Diagnostics;
using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using MemoryFabric.Segmentation;
using MemoryFabric.Text;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Consolidation;

/// <summary>
/// Plans a consolidation from a <see cref="ConsolidationInput"/>: segments each session into episodes, extracts notes
/// from the episodes not extracted before, and embeds both unless embedding is deferred. It reads only the input and
/// its own immutable collaborators (segmenter, extractor, embedder), never the memory, so it runs on any thread while
/// the memory serves other calls; <see cref="AgentMemory.ApplyConsolidation(ConsolidationPlan, TimeSpan)"/> merges the result in one short step.
/// </summary>
internal sealed class ConsolidationPlanner
{
    private readonly EpisodeSegmenter _segmenter;
    private readonly INoteExtractor _extractor;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly int _maxNoteTextLength;

    /// <summary>Creates a planner.</summary>
    /// <param name="segmenter">Cuts sessions into episodes.</param>
    /// <param name="extractor">Proposes notes from an episode.</param>
    /// <param name="embedder">Embeds episodes and notes; <see langword="null"/> when embedding is deferred (the
    /// plan carries no vectors and what it creates is queued for dense embedding).</param>
    /// <param name="maxNoteTextLength">Longer proposals are dropped.</param>
    public ConsolidationPlanner(EpisodeSegmenter segmenter, INoteExtractor extractor, IEmbeddingGenerator<string, Embedding<float>>? embedder, int maxNoteTextLength)
    {
        _segmenter = segmenter ?? throw new ArgumentNullException(nameof(segmenter));
        _extractor = extractor ?? throw new ArgumentNullException(nameof(extractor));
        _embedder = embedder;
        _maxNoteTextLength = maxNoteTextLength;
    }

    /// <summary>The key under which an episode counts as extracted: an episode whose turns changed is extracted
    /// again (the notes already stored come back as no-ops).</summary>
    /// <param name="episode">The episode.</param>
    /// <returns>The key.</returns>
    public static string ExtractionKey(Episode episode) => episode.Id + "#" + episode.TurnIds.Count;

    /// <summary>Plans the consolidation of <paramref name="input"/>.</summary>
    /// <param name="input">What was captured.</param>
    /// <param name="cancellationToken">Cancels planning (nothing has changed anywhere).</param>
    /// <returns>The plan.</returns>
    public async Task<ConsolidationPlan> PlanAsync(ConsolidationInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stopwatch = Stopwatch.StartNew();
        var sessions = new List<PlannedSession>(input.Sessions.Count);
        var fresh = new List<(Episode Episode, SessionTurns Session)>();
        foreach (var session in input.Sessions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var turns = session.Excluded.Count == 0 ? session.Turns : session.Turns.Where(t => !session.Excluded.Contains(t.Id)).ToList();
            var episodes = Segment(turns);
            var vectors = await EmbedAsync(episodes.Select(AgentMemory.EpisodeIndexText).ToList(), cancellationToken).ConfigureAwait(false);
            sessions.Add(new PlannedSession(session.SessionId, turns, episodes, vectors));
            var unextracted = episodes.Where(e => !input.ExtractedEpisodes.Contains(ExtractionKey(e))).ToList();
            if (unextracted.Count > 0)
            {
                var lookup = new SessionTurns(session);
                fresh.AddRange(unextracted.Select(e => (e, lookup)));
            }
        }

        var extractions = new List<PlannedExtraction>(fresh.Count);
        foreach (var (episode, session) in fresh.OrderBy(e => e.Episode.Start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            extractions.Add(await ExtractAsync(episode, session, input.Participants, cancellationToken).ConfigureAwait(false));
        }

        return new ConsolidationPlan(input.Owner, sessions, extractions, stopwatch.Elapsed);
    }

    private List<Episode> Segment(IReadOnlyList<Turn> turns)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var turn in turns)
        {
            foreach (var term in TextAnalyzer.Terms(turn.Text).Distinct(StringComparer.Ordinal))
            {
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }

        return _segmenter.Segment(turns).Select(s => EpisodeBuilder.Build(s, df, turns.Count)).ToList();
    }

    private async Task<PlannedExtraction> ExtractAsync(Episode episode, SessionTurns session, IReadOnlyList<string> participants, CancellationToken cancellationToken)
    {
        var turns = episode.TurnIds.Select(session.Get).ToList();
        var proposals = await _extractor.ExtractAsync(new NoteExtractionContext(episode, turns, participants), cancellationToken).ConfigureAwait(false);
        var valid = proposals.Where(p => IsValid(p, episode) && RestsOnAPersonsStatement(p, session)).ToList();
        var texts = valid.Select(p => AgentMemory.NoteIndexText(p.Text, p.Subject, session.QuestionAnswered(p.SourceTurnIds[^1]))).ToList();
        var vectors = await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        var notes = new List<PlannedNote>(valid.Count);
        for (var i = 0; i < valid.Count; i++)
        {
            notes.Add(new PlannedNote(valid[i], Provenance(valid[i], episode, session), texts[i], vectors[i]));
        }

        return new PlannedExtraction(episode, notes);
    }

    private bool IsValid(NoteWrite proposal, Episode episode) =>
        !string.IsNullOrWhiteSpace(proposal.Text)
        && proposal.Text.Length <= _maxNoteTextLength
        && !string.IsNullOrWhiteSpace(proposal.Subject)
        && proposal.SourceTurnIds.Count > 0
        && proposal.SourceTurnIds.All(id => episode.TurnIds.Contains(id, StringComparer.Ordinal));

    // Notes are distilled from what people say: a proposal drawn only from the assistant's turns is dropped (what the
    // assistant said stays retrievable as turns, never down-ranked for its role; it becomes no user fact note).
    private static bool RestsOnAPersonsStatement(NoteWrite proposal, SessionTurns session) =>
        proposal.SourceTurnIds.Any(id => session.Find(id) is not { Role: TurnRole.Assistant });

    // An extracted note's provenance: the source kind of its first source turn, the lowest trust of its source turns.
    private NoteProvenance Provenance(NoteWrite proposal, Episode episode, SessionTurns session)
    {
        var source = SourceKind.UserStated;
        var trust = 1.0;
        var first = true;
        foreach (var id in proposal.SourceTurnIds)
        {
            if (session.Find(id) is { } turn)
            {
                if (first)
                {
                    source = turn.Source;
                    first = false;
                }

                trust = Math.Min(trust, turn.Trust);
            }
        }

        return new NoteProvenance(proposal.SourceTurnIds, episode.Id, _extractor.Name, _extractor.Version)
        {
            Source = source,
            Trust = first ? SourceTrust.DefaultTrust(source) : trust,
        };
    }

    private async Task<float[]?[]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (_embedder is null || texts.Count == 0)
        {
            return new float[]?[texts.Count];
        }

        // A background batch: a scheduling embedder serves queries first (Embeddings.EmbeddingPriority).
        var embeddings = await _embedder.GenerateAsync(texts, Embeddings.EmbeddingPriority.CreateBackgroundOptions(), cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {texts.Count} texts.");
        }

        return embeddings.Select(e => (float[]?)e.Vector.ToArray()).ToArray();
    }

    // A captured session's turns by id, with the question each answers (as AgentMemory finds it: the previous turn of
    // the session, another speaker's, ending with '?', not quarantined).
    private sealed class SessionTurns
    {
        private readonly SessionInput _session;
        private readonly Dictionary<string, int> _position;

        public SessionTurns(SessionInput session)
        {
            _session = session;
            _position = new Dictionary<string, int>(session.Turns.Count, StringComparer.Ordinal);
            for (var i = 0; i < session.Turns.Count; i++)
            {
                _position[session.Turns[i].Id] = i;
            }
        }

        public Turn Get(string turnId) => _session.Turns[_position[turnId]];

        public Turn? Find(string turnId) => _position.TryGetValue(turnId, out var index) ? _session.Turns[index] : null;

        public Turn? QuestionAnswered(string turnId) =>
            _position.TryGetValue(turnId, out var index) && index > 0
                ? AgentMemory.QuestionBefore(_session.Turns, index, _session.Excluded.Contains)
                : null;
    }
}
