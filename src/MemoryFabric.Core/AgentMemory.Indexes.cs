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
    private readonly ExactVectorIndex<string> _turnDense = new();
    private readonly ExactVectorIndex<string> _episodeDense = new();
    private readonly ExactVectorIndex<string> _noteDense = new();
    private readonly Dictionary<string, string> _turnEpisode = new(StringComparer.Ordinal);

    private void IndexTurn(Turn turn, float[] vector)
    {
        _turnLexical.Upsert(turn.Id, TurnTerms(turn));
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

    private void IndexNote(Note note, float[] vector)
    {
        _noteLexical.Upsert(note.Id, TextAnalyzer.Terms(note.Text));
        _noteDense.Upsert(note.Id, vector);
    }

    private void UnindexNote(string noteId)
    {
        _noteLexical.Remove(noteId);
        _noteDense.Remove(noteId);
    }

    private static string EpisodeIndexText(Episode episode) =>
        episode.Summary + " " + string.Join(' ', episode.Keywords) + " " + string.Join(' ', episode.Entities);
}
