using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric;

// The lexical and dense indexes over the three levels of the hierarchy, kept in step with the stores.
public sealed partial class AgentMemory
{
    private readonly Bm25Index<string> _turnLexical = new();
    private readonly Bm25Index<string> _episodeLexical = new();
    private readonly Bm25Index<string> _noteLexical = new();
    private readonly TieredVectorIndex _turnDense;
    private readonly TieredVectorIndex _episodeDense;
    private readonly TieredVectorIndex _noteDense;
    private readonly Dictionary<string, string> _turnEpisode = new(StringComparer.Ordinal);

    private void IndexTurn(Turn turn, string indexText, float[] vector)
    {
        _turnLexical.Upsert(turn.Id, TextAnalyzer.Terms(indexText));
        _turnDense.Upsert(turn.Id, vector);
    }

    private void IndexEpisode(Episode episode, float[] vector)
    {
        _episodeLexical.Upsert(episode.Id, TextAnalyzer.Terms(EpisodeIndexText(episode)));
        _episodeDense.Upsert(episode.Id, vector);
        foreach (var id in episode.TurnIds)
        {
            _turnEpisode[id] = episode.Id;
        }
    }

    private void UnindexEpisode(string episodeId)
    {
        _episodeLexical.Remove(episodeId);
        _episodeDense.Remove(episodeId);
    }

    private void IndexNote(Note note, string indexText, float[] vector)
    {
        _noteLexical.Upsert(note.Id, TextAnalyzer.Terms(indexText));
        _noteDense.Upsert(note.Id, vector);
    }

    private void UnindexNote(string noteId)
    {
        _noteLexical.Remove(noteId);
        _noteDense.Remove(noteId);
    }

    // A note is indexed with the question its source turn answers (retrieval context only: the note's text, its
    // rendering and its provenance stay as they are), and with its subject named once, not once per pronoun.
    private string NoteIndexText(NoteWrite note)
    {
        var text = CollapseRepeats(note.Text.Trim(), note.Subject.Trim());
        return note.SourceTurnIds.Count > 0 && QuestionAnswered(note.SourceTurnIds[^1]) is { } question
            ? text + " " + question.Text
            : text;
    }

    // The question a turn answers: the previous turn of its session, by another speaker, ending with '?'.
    private Turn? QuestionAnswered(string turnId)
    {
        if (!_turns.TryGetValue(turnId, out var turn) || !_sessions.TryGetValue(turn.SessionId, out var session))
        {
            return null;
        }

        var index = session.BinarySearch(turn, TurnOrder);
        if (index <= 0)
        {
            return null;
        }

        var previous = session[index - 1];
        return !string.Equals(previous.Speaker, turn.Speaker, StringComparison.OrdinalIgnoreCase) && previous.Text.TrimEnd().EndsWith('?')
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

    // A turn is indexed with its speaker and with the question it answers.
    private string TurnIndexText(Turn turn) =>
        QuestionAnswered(turn.Id) is { } question ? $"{turn.Speaker} {turn.Text} {question.Text}" : $"{turn.Speaker} {turn.Text}";

    private static string EpisodeIndexText(Episode episode) =>
        episode.Summary + " " + string.Join(' ', episode.Keywords) + " " + string.Join(' ', episode.Entities);
}
