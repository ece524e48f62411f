using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric
{
    // What a host needs to mirror the agent's dense vectors into an external index (the tenant's vector shards) and to
    // hydrate that index's hits: the live retrievable items with their vectors, and one item as a search would show it.
    public sealed partial class AgentMemory
    {
        /// <summary>The retrievable items that have or wait for a dense vector (quarantined items excluded): turns,
        /// episodes and active notes, each with its vector, or <see langword="null"/> while it waits in the embedding
        /// queue (<see cref="PendingEmbeddingCount"/>) or when only the external index holds it (an offloaded turn,
        /// <see cref="OffloadTurnVectors"/>).</summary>
        /// <returns>The items (enumerate on the memory's turn; the vectors are the index's, do not change them).</returns>
        public IEnumerable<DenseItem> EnumerateDenseItems()
        {
            foreach (var (id, vector) in _turnDense.EnumerateVectors())
            {
                if (_turns.TryGetValue(id, out var turn) && !IsExcluded(id))
                {
                    yield return new DenseItem(MemoryItemKind.Turn, id, vector, turn.Timestamp);
                }
            }

            foreach (var id in _offloaded.Ids)
            {
                if (_turns.TryGetValue(id, out var turn) && !IsExcluded(id))
                {
                    yield return new DenseItem(MemoryItemKind.Turn, id, null, turn.Timestamp); // the external index holds its vector
                }
            }

            foreach (var (id, vector) in _episodeDense.EnumerateVectors())
            {
                if (_episodes.TryGetValue(id, out var episode) && !IsExcluded(id))
                {
                    yield return new DenseItem(MemoryItemKind.Episode, id, vector, episode.Start);
                }
            }

            foreach (var (id, vector) in _noteDense.EnumerateVectors())
            {
                if (LiveNote(id) is { } note)
                {
                    yield return new DenseItem(MemoryItemKind.Note, id, vector, note.ValidFrom ?? note.CreatedAt);
                }
            }

            foreach (var item in PendingInOrder())
            {
                if (item.Kind == MemoryItemKind.Turn ? _turns.TryGetValue(item.Id, out var turn) && !IsExcluded(item.Id)
                    : item.Kind == MemoryItemKind.Episode ? _episodes.ContainsKey(item.Id) && !IsExcluded(item.Id)
                    : LiveNote(item.Id) is not null)
                {
                    yield return new DenseItem(item.Kind, item.Id, null, default);
                }
            }
        }

        /// <summary>One retrievable item as a search hit shows it (unrendered text, unboosted <paramref name="score"/>),
        /// or <see langword="null"/> when it is gone, quarantined, or (a note) not the active version.</summary>
        /// <param name="kind">The item's kind.</param>
        /// <param name="id">The item's id.</param>
        /// <param name="score">The score to report.</param>
        /// <returns>The item or <see langword="null"/>.</returns>
        public ContextItem? DescribeRetrievableItem(MemoryItemKind kind, string id, double score)
        {
            ArgumentNullException.ThrowIfNull(id);
            if (IsExcluded(id))
            {
                return null;
            }

            return kind switch
            {
                MemoryItemKind.Turn => _turns.TryGetValue(id, out var turn) ? TurnItem(turn, score) : null,
                MemoryItemKind.Episode => _episodes.TryGetValue(id, out var episode) ? EpisodeItem(episode, score) : null,
                _ => LiveNote(id) is { } note ? NoteItem(note, score) : null,
            };
        }

        private Note? LiveNote(string id) =>
            _notes.ContainsVersion(id) && _notes.Get(id) is { Status: NoteStatus.Active } note && note.Id == id && !IsExcluded(id) ? note : null;
    }
}

namespace MemoryFabric.Retrieval
{
    /// <summary>A retrievable item and its dense vector (<see cref="AgentMemory.EnumerateDenseItems"/>).</summary>
    /// <param name="Kind">Its kind.</param>
    /// <param name="Id">Its id.</param>
    /// <param name="Vector">Its dense vector; <see langword="null"/> while it waits to be embedded, or when only an
    /// external index holds it (an offloaded turn).</param>
    /// <param name="Timestamp">Its time (a turn's time, an episode's start, a note's valid-from or creation time).</param>
    public sealed record DenseItem(MemoryItemKind Kind, string Id, float[]? Vector, DateTimeOffset Timestamp);
}
