using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric;

// The lexical and dense indexes over the three levels of the hierarchy, kept in step with the stores.
public sealed partial class AgentMemory
{
    private readonly LexicalIndexes _lexical = new(); // a restore's are built on first use
    private Bm25Index<string> TurnLexical => _lexical.Turns;
    private Bm25Index<string> EpisodeLexical => _lexical.Episodes;
    private Bm25Index<string> NoteLexical => _lexical.Notes;
    private readonly TieredVectorIndex _turnDense;
    private readonly TieredVectorIndex _episodeDense;
    private readonly TieredVectorIndex _noteDense;
    private readonly Dictionary<string, string> _turnEpisode = new(StringComparer.Ordinal);
    private Retrieval.Passages.PassageIndex? _passageIndex;

    // Long turns as passages (Retrieval/Passages): derived from the turns, rebuilt on restore, never persisted.
    private Retrieval.Passages.PassageIndex Passages => _passageIndex ??= new(_options.Retrieval.Passages);

    private Retrieval.Aliases.AliasIndex? _aliasIndex;

    // Who "my sis" is, per speaker (Retrieval/Aliases): derived from the turns, read from them all on first use after
    // a restore (the lexical index restored with it already holds the names).
    private Retrieval.Aliases.AliasIndex Aliases
    {
        get
        {
            if (_aliasIndex is null)
            {
                _aliasIndex = new();
                foreach (var turn in RetrievableTurns())
                {
                    _aliasIndex.Observe(turn);
                }
            }

            return _aliasIndex;
        }
    }

    // A null vector queues the item for dense embedding (EmbedPendingAsync); it is lexically searchable at once.
    private void IndexTurn(Turn turn, string indexText, float[]? vector)
    {
        if (IsExcluded(turn.Id))
        {
            return; // quarantined: stored, never indexed
        }

        ReindexAliasMentions(Aliases.Observe(turn)); // it names what earlier turns called "my brother": they get the name
        TurnLexical.Upsert(turn.Id, TurnTerms(turn, indexText));
        Passages.Upsert(turn.Id, turn.Text);
        IndexDense(MemoryItemKind.Turn, turn.Id, vector);
    }

    private void IndexEpisode(Episode episode, float[]? vector)
    {
        foreach (var id in episode.TurnIds)
        {
            _turnEpisode[id] = episode.Id;
        }

        if (IsExcluded(episode.Id))
        {
            return;
        }

        EpisodeLexical.Upsert(episode.Id, TextAnalyzer.Terms(EpisodeIndexText(episode)));
        IndexDense(MemoryItemKind.Episode, episode.Id, vector);
    }

    private void UnindexEpisode(string episodeId)
    {
        EpisodeLexical.Remove(episodeId);
        _episodeDense.Remove(episodeId);
        DenseChanged(MemoryItemKind.Episode, episodeId, null);
        RemovePending(MemoryItemKind.Episode, episodeId);
    }

    private void IndexNote(Note note, string indexText, float[]? vector)
    {
        if (IsExcluded(note.Id))
        {
            return;
        }

        NoteLexical.Upsert(note.Id, TextAnalyzer.Terms(indexText));
        IndexDense(MemoryItemKind.Note, note.Id, vector);
    }

    private void UnindexNote(string noteId)
    {
        NoteLexical.Remove(noteId);
        _noteDense.Remove(noteId);
        DenseChanged(MemoryItemKind.Note, noteId, null);
        RemovePending(MemoryItemKind.Note, noteId);
    }

    private TieredVectorIndex DenseIndex(MemoryItemKind kind) => kind switch
    {
        MemoryItemKind.Turn => _turnDense,
        MemoryItemKind.Episode => _episodeDense,
        _ => _noteDense,
    };

    private void IndexDense(MemoryItemKind kind, string id, float[]? vector)
    {
        NotOffloaded(kind, id); // a new vector, or none yet: an offloaded one is stale either way
        if (vector is null)
        {
            DenseIndex(kind).Remove(id); // a stale vector must not stand in for the new content
            DenseChanged(kind, id, null);
            EnqueuePending(kind, id);
        }
        else
        {
            DenseIndex(kind).Upsert(id, vector);
            DenseChanged(kind, id, vector);
            RemovePending(kind, id);
        }
    }

    // A note is indexed with the question its source turn answers (retrieval context only: the note's text, its
    // rendering and its provenance stay as they are), and with its subject named once, not once per pronoun.
    private string NoteIndexText(NoteWrite note) => NoteIndexText(note.Text, note.Subject, note.SourceTurnIds);

    // The same text for a stored version (its text and subject are trimmed, its provenance holds the source turns).
    private string NoteIndexText(Note note) => NoteIndexText(note.Text, note.Subject, note.Provenance.TurnIds);

    private string NoteIndexText(string noteText, string subject, IReadOnlyList<string> sourceTurnIds) =>
        NoteIndexText(noteText, subject, sourceTurnIds.Count > 0 ? QuestionAnswered(sourceTurnIds[^1]) : null);

    // Pure, so the consolidation planner computes the same text off the memory's turn.
    internal static string NoteIndexText(string noteText, string subject, Turn? question)
    {
        var text = CollapseRepeats(noteText.Trim(), subject.Trim());
        return question is null ? text : text + " " + question.Text;
    }

    // The question a turn answers: the previous turn of its session, by another speaker, ending with '?'.
    private Turn? QuestionAnswered(string turnId) =>
        TryLocate(turnId, out var session, out var index) && index > 0 ? QuestionBefore(session, index, IsExcluded) : null;

    // A stored turn's session (its turns in order) and its place in it.
    private bool TryLocate(string turnId, out List<Turn> session, out int index)
    {
        if (_turns.TryGetValue(turnId, out var turn) && _sessions.TryGetValue(turn.SessionId, out session!))
        {
            index = session.BinarySearch(turn, TurnOrder);
            return index >= 0;
        }

        session = null!;
        index = -1;
        return false;
    }

    // The question the turn at `index` of a session (in session order) answers, or null (pure, as above).
    internal static Turn? QuestionBefore(IReadOnlyList<Turn> session, int index, Func<string, bool> isExcluded)
    {
        var turn = session[index];
        var previous = session[index - 1];
        return !isExcluded(previous.Id) && !string.Equals(previous.Speaker, turn.Speaker, StringComparison.OrdinalIgnoreCase) && previous.Text.TrimEnd().EndsWith('?')
            ? previous
            : null;
    }

    private static string CollapseRepeats(string text, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, $@"\b{System.Text.RegularExpressions.Regex.Escape(name)}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var first = match.Success ? match.Index : -1;
        if (first < 0)
        {
            return text;
        }

        var head = text[..(first + name.Length)];
        var tail = System.Text.RegularExpressions.Regex.Replace(
            text[(first + name.Length)..], $@"\b{System.Text.RegularExpressions.Regex.Escape(name)}(?:'s)?\b", string.Empty,
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return head + tail;
    }

    // A turn's lexical terms: its index text's, and the names of the people it calls only "my sister" and the like.
    private List<string> TurnTerms(Turn turn, string indexText)
    {
        var terms = TextAnalyzer.Terms(indexText);
        foreach (var name in Aliases.NamesReferredTo(turn))
        {
            terms.AddRange(TextAnalyzer.Terms(name));
        }

        return terms;
    }

    // A turn that taught a name left (deleted or quarantined): what it taught goes with it.
    private void ForgetAliasesOf(Turn turn)
    {
        if (_aliasIndex is not null)
        {
            ReindexAliasMentions(_aliasIndex.Forget(turn));
        }
    }

    // Turns whose "my brother" now has another name, or none: their lexical terms again.
    private void ReindexAliasMentions(IReadOnlyList<string> turnIds)
    {
        foreach (var id in turnIds)
        {
            if (_turns.TryGetValue(id, out var turn) && !IsExcluded(id) && TurnLexical.Contains(id))
            {
                TurnLexical.Upsert(id, TurnTerms(turn, TurnIndexText(turn)));
            }
        }
    }

    // A turn is indexed with its speaker and with the question it answers.
    private string TurnIndexText(Turn turn) =>
        QuestionAnswered(turn.Id) is { } question ? $"{turn.Speaker} {turn.Text} {question.Text}" : $"{turn.Speaker} {turn.Text}";

    internal static string EpisodeIndexText(Episode episode) =>
        episode.Summary + " " + string.Join(' ', episode.Keywords) + " " + string.Join(' ', episode.Entities);
}
