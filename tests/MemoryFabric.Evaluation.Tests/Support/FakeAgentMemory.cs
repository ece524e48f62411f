using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Tests.Support;

/// <summary>An <see cref="IAgentMemory"/> stand-in: keeps turns, and answers a context request with the turns that
/// share a term with the query (newest first) within the budget. Records the calls it gets.</summary>
internal sealed class FakeAgentMemory : IAgentMemory
{
    private readonly List<TurnInput> _turns = [];

    public List<int> IngestBatchSizes { get; } = [];

    public int Consolidations { get; private set; }

    public List<ContextRequest> Requests { get; } = [];

    public IReadOnlyList<TurnInput> Turns => _turns;

    public Task<IngestResult> IngestAsync(IReadOnlyList<TurnInput> turns, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IngestBatchSizes.Add(turns.Count);
        _turns.AddRange(turns);
        return Task.FromResult(new IngestResult(turns.Select(t => t.Id!).ToList(), []));
    }

    public Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default)
    {
        Consolidations++;
        return Task.FromResult(new ConsolidationReport());
    }

    public Task<MemoryContext> GetContextAsync(ContextRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Add(request);
        var query = TextAnalyzer.Terms(request.Query).ToHashSet(StringComparer.Ordinal);
        var items = new List<ContextItem>();
        var lines = new List<string>();
        foreach (var turn in _turns.OrderByDescending(t => t.Timestamp))
        {
            if (!TextAnalyzer.Terms(turn.Text).Any(query.Contains))
            {
                continue;
            }

            var line = $"{turn.Speaker}: {turn.Text}";
            if (ContextTokens.Count(string.Join('\n', lines.Append(line))) > request.TokenBudget)
            {
                continue;
            }

            lines.Add(line);
            items.Add(new ContextItem(MemoryItemKind.Turn, turn.Id!, line, turn.Timestamp, [turn.Id!], 1));
        }

        var text = string.Join('\n', lines);
        return Task.FromResult(new MemoryContext(text, items, ContextTokens.Count(text), "retrieved"));
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<Turn>> GetTurnsAsync(string? sessionId = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<Episode>> GetEpisodesAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<Note>> GetNotesAsync(bool includeInactive = false, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<Note?> GetNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<Note>> GetNoteHistoryAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<NoteWriteResult> AddNoteAsync(NoteWrite note, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<NoteWriteResult> UpdateNoteAsync(string noteId, NoteWrite note, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<NoteWriteResult> DeleteNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> PurgeNoteAsync(string noteId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<TurnForgetResult> ForgetTurnsAsync(IReadOnlyList<string> turnIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
