using MemoryFabric.Embeddings;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric;

// Deferred dense embedding: items indexed without a vector wait in a FIFO queue until EmbedPendingAsync embeds them.
public sealed partial class AgentMemory
{
    private readonly string? _embedderModelId;
    private readonly int? _embedderDimensions;

    // The queue keeps its order; an item leaves the set when it is embedded or its record goes, and its stale queue
    // entry is skipped later (lazy deletion keeps removal O(1)).
    private readonly List<PendingItem> _pendingQueue = [];
    private readonly HashSet<PendingItem> _pending = [];
    private int _pendingHead;

    // The dimension of vectors restored from a snapshot whose embedder did not report its dimension: checked
    // against the first vectors the embedder returns (0 once checked).
    private int _unverifiedDimensions;

    /// <summary>The number of items (turns, episodes, notes) that are lexically indexed and wait for their dense
    /// vector; see <see cref="EmbedPendingAsync"/>.</summary>
    public int PendingEmbeddingCount => _pending.Count;

    /// <summary>
    /// Embeds up to <paramref name="maxItems"/> pending items, oldest first, in one embedder call, and adds them to
    /// the dense indexes. Items whose record has gone (a purged or superseded note, a re-segmented episode) are
    /// dropped. An item's dense text is computed now: a turn's includes the question it answers.
    /// </summary>
    /// <param name="maxItems">The most items to embed (the embedder's batch).</param>
    /// <param name="cancellationToken">Cancels the call; the items stay pending.</param>
    /// <returns>How many items were embedded (0 when nothing is pending).</returns>
    /// <remarks>If the embedder fails, the exception propagates and the items stay pending. Other calls on the memory
    /// may run while the embedder works (its only await): the batch is checked against what they changed.</remarks>
    public async Task<int> EmbedPendingAsync(int maxItems, CancellationToken cancellationToken = default)
    {
        using var activity = _pending.Count == 0 ? null : Diagnostics.EngineTelemetry.Start("memoryfabric.engine.embed_pending");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItems);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new List<PendingItem>(Math.Min(maxItems, _pending.Count));
        var texts = new List<string>(batch.Capacity);
        var taken = new HashSet<PendingItem>();
        var end = _pendingHead;
        for (; end < _pendingQueue.Count && batch.Count < maxItems; end++)
        {
            var item = _pendingQueue[end];
            if (!_pending.Contains(item) || !taken.Add(item))
            {
                continue; // embedded or gone already, or queued twice
            }

            if (PendingText(item) is { } text)
            {
                batch.Add(item);
                texts.Add(text);
            }
            else
            {
                _pending.Remove(item); // its record disappeared
            }
        }

        if (batch.Count == 0)
        {
            _pendingHead = end;
            TrimPendingQueue();
            return 0;
        }

        // The host may let other calls on this memory run while the encoder works (the agent grain does, so that
        // searches do not wait for a batch): what changed meanwhile is checked when the vectors come back. An item
        // no longer pending (embedded on demand, or gone) is skipped; one whose text changed (a turn reindexed with
        // its question) stays pending for the next batch. A background batch: a scheduling embedder serves queries first.
        var vectors = await EmbedAsync(texts, EmbeddingPriority.CreateBackgroundOptions(), cancellationToken).ConfigureAwait(false);
        var embedded = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (_pending.Contains(batch[i]) && string.Equals(PendingText(batch[i]), texts[i], StringComparison.Ordinal))
            {
                _pending.Remove(batch[i]);
                DenseIndex(batch[i].Kind).Upsert(batch[i].Id, vectors[i]);
                DenseChanged(batch[i].Kind, batch[i].Id, vectors[i]);
                embedded++;
            }
        }

        // The queue may have been trimmed meanwhile: skip what is no longer pending from wherever its head now is.
        while (_pendingHead < _pendingQueue.Count && !_pending.Contains(_pendingQueue[_pendingHead]))
        {
            _pendingHead++;
        }

        TrimPendingQueue();
        return embedded;
    }

    // Read-after-write (Retrieval/PendingDenseScoring.cs): the pending items a query needs are embedded on demand and
    // indexed before the dense search, so a fresh item is ranked like any other; the background batch then has that
    // much less to do. One interactive call for them all, with the query's queue deadline (Retrieval/QueryVectorSource):
    // when the embedder cannot start on it in time they stay pending and are ranked on the signals they have. Another
    // embedder failure propagates (the query itself could not be embedded either).
    private async Task<int> EmbedOnDemandAsync(IReadOnlyList<PendingItem> items, CancellationToken cancellationToken)
    {
        var wanted = new List<(PendingItem Item, string Text)>(items.Count);
        foreach (var item in items)
        {
            if (_pending.Contains(item) && PendingText(item) is { } text)
            {
                wanted.Add((item, text));
            }
        }

        if (wanted.Count == 0 || await QueryVectors.TryEmbedOnDemandAsync(wanted.ConvertAll(w => w.Text), cancellationToken).ConfigureAwait(false) is not { } vectors)
        {
            return 0;
        }

        var embedded = 0;
        for (var i = 0; i < wanted.Count; i++)
        {
            var (item, text) = wanted[i];
            // Still pending once embedded, with the same text (other calls may run while the embedder works).
            if (_pending.Contains(item) && string.Equals(PendingText(item), text, StringComparison.Ordinal) && _pending.Remove(item))
            {
                DenseIndex(item.Kind).Upsert(item.Id, vectors[i]);
                DenseChanged(item.Kind, item.Id, vectors[i]);
                embedded++;
            }
        }

        if (embedded > 0)
        {
            TrimPendingQueue();
        }

        return embedded;
    }

    private bool IsPending(MemoryItemKind kind, string id) => _pending.Count > 0 && _pending.Contains(new PendingItem(kind, id));

    // The live pending items, newest first (lazily: a query takes only the first few).
    private IEnumerable<PendingItem> PendingNewestFirst()
    {
        for (var i = _pendingQueue.Count - 1; i >= _pendingHead; i--)
        {
            if (_pending.Contains(_pendingQueue[i]))
            {
                yield return _pendingQueue[i];
            }
        }
    }

    private string? PendingText(PendingItem item) => item.Kind switch
    {
        MemoryItemKind.Turn => _turns.TryGetValue(item.Id, out var turn) ? TurnIndexText(turn) : null,
        MemoryItemKind.Episode => _episodes.TryGetValue(item.Id, out var episode) ? EpisodeIndexText(episode) : null,
        _ => _notes.ContainsVersion(item.Id) && _notes.Get(item.Id) is { Status: NoteStatus.Active } note ? NoteIndexText(note) : null,
    };

    private void EnqueuePending(MemoryItemKind kind, string id)
    {
        var item = new PendingItem(kind, id);
        if (_pending.Add(item))
        {
            _pendingQueue.Add(item);
        }
    }

    private void RemovePending(MemoryItemKind kind, string id)
    {
        if (_pending.Count > 0 && _pending.Remove(new PendingItem(kind, id)))
        {
            TrimPendingQueue();
        }
    }

    // The live pending items in queue order.
    private List<PendingItem> PendingInOrder()
    {
        var seen = new HashSet<PendingItem>();
        var result = new List<PendingItem>(_pending.Count);
        for (var i = _pendingHead; i < _pendingQueue.Count; i++)
        {
            var item = _pendingQueue[i];
            if (_pending.Contains(item) && seen.Add(item))
            {
                result.Add(item);
            }
        }

        return result;
    }

    private void TrimPendingQueue()
    {
        if (_pending.Count == 0)
        {
            _pendingQueue.Clear();
            _pendingHead = 0;
            return;
        }

        var queued = _pendingQueue.Count - _pendingHead;
        if (queued > 1024 && queued > 2 * _pending.Count)
        {
            var live = PendingInOrder(); // mostly stale entries: rebuild
            _pendingQueue.Clear();
            _pendingQueue.AddRange(live);
            _pendingHead = 0;
        }
        else if (_pendingHead > 1024 && _pendingHead > _pendingQueue.Count / 2)
        {
            _pendingQueue.RemoveRange(0, _pendingHead);
            _pendingHead = 0;
        }
    }

    // After restoring vectors whose dimension the embedder could not confirm: the first vectors it returns decide.
    private void VerifyRestoredDimensions(int dimensions)
    {
        if (_unverifiedDimensions == 0)
        {
            return;
        }

        var expected = _unverifiedDimensions;
        _unverifiedDimensions = 0;
        if (dimensions != expected)
        {
            DropDenseVectors();
        }
    }

    // The dense vectors do not fit the embedder: every dense-indexed item becomes pending again.
    private void DropDenseVectors()
    {
        foreach (var kind in (ReadOnlySpan<MemoryItemKind>)[MemoryItemKind.Turn, MemoryItemKind.Episode, MemoryItemKind.Note])
        {
            var index = DenseIndex(kind);
            foreach (var (key, _) in index.Items.ToList())
            {
                EnqueuePending(kind, key);
            }

            index.Clear();
        }

        ReclaimOffloadedTurnVectors(); // the external index holds the old embedder's vectors too
    }

    // The vector carried by a change if it fits the current embedder and index (the same model, the same
    // dimension); null otherwise (the item is then queued).
    private float[]? AcceptVector(MemoryItemKind kind, ReadOnlyMemory<float> vector, string? modelId)
    {
        if (vector.IsEmpty
            || (modelId is not null && _embedderModelId is not null && !string.Equals(modelId, _embedderModelId, StringComparison.Ordinal))
            || (_embedderDimensions is { } dimensions && dimensions != vector.Length)
            || DenseIndex(kind).Dimensions is var indexed && indexed != 0 && indexed != vector.Length)
        {
            return null;
        }

        return System.Runtime.InteropServices.MemoryMarshal.TryGetArray(vector, out var segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();
    }

    private readonly record struct PendingItem(MemoryItemKind Kind, string Id);
}
