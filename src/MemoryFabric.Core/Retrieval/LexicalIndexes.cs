using MemoryFabric.Persistence;

namespace MemoryFabric.Retrieval;

/// <summary>
/// An agent's three BM25 indexes (turns, episodes, notes). After a snapshot restore they may still be the stored
/// section (<see cref="DeferredLexicalSection"/>): the first use of any of them builds all three, exactly as the
/// restore would have, so a restore followed by calls that need no lexical index (a summary, a listing, a read of one
/// item) never pays for them.
/// </summary>
/// <remarks>Not thread-safe: used under the memory's own synchronisation, like its other indexes.</remarks>
internal sealed class LexicalIndexes
{
    private Bm25Index<string> _turns = new();
    private Bm25Index<string> _episodes = new();
    private Bm25Index<string> _notes = new();
    private DeferredLexicalSection? _deferred;

    /// <summary>The index of turns.</summary>
    public Bm25Index<string> Turns
    {
        get
        {
            Build();
            return _turns;
        }
    }

    /// <summary>The index of episodes.</summary>
    public Bm25Index<string> Episodes
    {
        get
        {
            Build();
            return _episodes;
        }
    }

    /// <summary>The index of notes.</summary>
    public Bm25Index<string> Notes
    {
        get
        {
            Build();
            return _notes;
        }
    }

    /// <summary>Whether the indexes are still the stored section, not built yet.</summary>
    public bool IsDeferred => _deferred is not null;

    /// <summary>Replaces the (empty) indexes with a stored section, built on first use.</summary>
    /// <param name="section">The section.</param>
    /// <exception cref="InvalidOperationException">An index holds documents.</exception>
    public void LoadDeferred(DeferredLexicalSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (_deferred is not null || _turns.Count != 0 || _episodes.Count != 0 || _notes.Count != 0)
        {
            throw new InvalidOperationException("A stored lexical section can only be loaded into empty indexes.");
        }

        _deferred = section;
    }

    // A section that fails to build stays deferred, so every use reports it (nothing is searched half-built).
    private void Build()
    {
        if (_deferred is { } deferred)
        {
            (_turns, _episodes, _notes) = deferred.Build();
            _deferred = null;
        }
    }
}
