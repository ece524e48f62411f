using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>With DeferEmbedding, writes never wait on the embedder; EmbedPendingAsync catches up in batches.</summary>
public sealed class DeferredEmbeddingTests
{
    // The queue itself: no search embeds a pending item on demand here (see Retrieval/ReadAfterWriteTests.cs).
    private static readonly AgentMemoryOptions Deferred = new() { DeferEmbedding = true, Retrieval = new RetrievalOptions { PendingDenseScoringLimit = 0 } };

    [Fact]
    public async Task Ingest_does_not_embed_yet_turns_are_searchable_at_once()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);

        await memory.IngestAsync(Talk.SmallSession());

        Assert.Equal(0, embedder.Calls);
        Assert.Equal(15, memory.PendingEmbeddingCount);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "beagle named Oscar" });
        var hit = Assert.Single(hits, h => h.Item.Id == "D1:2");
        Assert.NotNull(hit.LexicalRank);
        Assert.Null(hit.DenseRank);
        Assert.All(hits, h => Assert.Null(h.DenseRank));
    }

    [Fact]
    public async Task EmbedPendingAsync_embeds_in_batches_and_dense_hits_appear()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());

        Assert.Equal(6, await memory.EmbedPendingAsync(6));
        Assert.Equal(1, embedder.Calls);
        Assert.Equal(9, memory.PendingEmbeddingCount);
        var partial = await memory.SearchAsync(new SearchRequest { Query = "beagle named Oscar", Limit = 50 });
        Assert.Contains(partial, h => h.Item.Id == "D1:2" && h.DenseRank is not null); // the first six are dense now
        string[] firstSix = ["D1:1", "D1:2", "D1:3", "D1:4", "D1:5", "D1:6"];
        Assert.Equal(firstSix, partial.Where(h => h.DenseRank is not null).Select(h => h.Item.Id).Order(StringComparer.Ordinal)); // the rest only lexical

        Assert.Equal(9, await memory.EmbedPendingAsync(100));
        Assert.Equal(0, await memory.EmbedPendingAsync(100));
        Assert.Equal(0, memory.PendingEmbeddingCount);
        Assert.Equal(15, embedder.Texts.Count - 1); // one query embedded in between

        // The same dense state as embedding on ingest.
        var inline = new AgentMemory(embeddingGenerator: new CountingEmbedder()); // the same embedder, so the same dense weight
        await inline.IngestAsync(Talk.SmallSession());
        var query = new SearchRequest { Query = "a dog adopted last week", Limit = 15 };
        Assert.Equal(
            (await inline.SearchAsync(query)).Select(h => (h.Item.Id, h.DenseRank, h.LexicalRank)),
            (await memory.SearchAsync(query)).Select(h => (h.Item.Id, h.DenseRank, h.LexicalRank)));
    }

    [Fact]
    public async Task A_batch_is_checked_against_what_changed_while_the_encoder_worked()
    {
        // The agent grain lets searches and writes run while a batch is with the encoder.
        var embedder = new GatedEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        Assert.Equal(15, memory.PendingEmbeddingCount);

        var batch = memory.EmbedPendingAsync(100);
        await embedder.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(batch.IsCompleted);
        await memory.IngestAsync([Talk.Input("late", "Caroline", "Oscar the beagle chewed my shoes again.", Talk.May8.AddHours(5))]);
        await memory.IngestAsync([Talk.Input("q", "Melanie", "Did anyone find the umbrella that was lost on the bus?", Talk.May8.AddMinutes(13.5))]); // D1:15 now answers it
        await memory.ForgetTurnsAsync(["D1:2"]);
        embedder.Release();
        var embedded = await batch;

        // Every live item is embedded once or still pending: the forgotten turn got no vector; the new turns, and the
        // turn whose text changed meanwhile (it answers the late question now), wait for the next batch.
        Assert.Equal(16, embedded + memory.PendingEmbeddingCount);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "beagle named Oscar", Limit = 50 });
        Assert.DoesNotContain(hits, h => h.Item.Id == "D1:2");
        Assert.Contains(hits, h => h.Item.Id == "late" && h.DenseRank is null);
        Assert.Equal(memory.PendingEmbeddingCount, await memory.EmbedPendingAsync(100));
        Assert.Equal(0, memory.PendingEmbeddingCount);
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "beagle named Oscar", Limit = 50 }), h => h.Item.Id == "late" && h.DenseRank is not null);
        Assert.Contains(embedder.Texts, t => t.Contains("Somebody left a lost umbrella", StringComparison.Ordinal) && t.Contains("Did anyone find the umbrella", StringComparison.Ordinal));
    }

    // Holds its first batch call (more than one text) until released; query embeddings pass.
    private sealed class GatedEmbedder : Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>
    {
        private readonly CountingEmbedder _inner = new();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _held;

        public Task Entered => _entered.Task;

        public List<string> Texts => _inner.Texts;

        public void Release() => _release.TrySetResult();

        public async Task<Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            if (list.Count > 1 && !_held)
            {
                _held = true;
                _entered.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            return await _inner.GenerateAsync(list, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

        public void Dispose() => _inner.Dispose();
    }

    [Fact]
    public async Task A_turns_dense_text_is_computed_when_embedded_with_its_question()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);
        await memory.IngestAsync([Talk.Input("a", "Melanie", "Four hours, more or less.", Talk.May8.AddMinutes(1))]);
        await memory.IngestAsync([Talk.Input("q", "Caroline", "How long did the marathon take you?", Talk.May8)]); // arrives late, before "a"

        await memory.EmbedPendingAsync(10);

        Assert.Contains("Melanie Four hours, more or less. How long did the marathon take you?", embedder.Texts);
    }

    [Fact]
    public async Task Note_writes_and_consolidation_queue_instead_of_embedding()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());

        var added = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie has a beagle named Oscar.", Subject = "Melanie" });
        var report = await memory.ConsolidateAsync();

        Assert.Equal(0, embedder.Calls);
        Assert.True(report.Episodes > 0 && report.NotesAdded > 0);
        var expected = memory.PendingEmbeddingCount;
        Assert.True(expected >= 15 + 1 + report.Episodes, $"{expected} pending");
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "beagle Oscar" }), h => h.Item.Id == added.Note.Id);

        // Superseded and purged versions leave the queue.
        var updated = await memory.UpdateNoteAsync(added.Note.Id, new NoteWrite { Text = "Melanie has two beagles.", Subject = "Melanie" });
        Assert.Equal(expected, memory.PendingEmbeddingCount);
        await memory.PurgeNoteAsync(updated.Note.Id);
        Assert.Equal(expected - 1, memory.PendingEmbeddingCount);

        var embedded = 0;
        int n;
        while ((n = await memory.EmbedPendingAsync(7)) > 0)
        {
            embedded += n;
        }

        Assert.Equal(expected - 1, embedded);
        Assert.Equal(0, memory.PendingEmbeddingCount);
        var hits = await memory.SearchAsync(new SearchRequest { Query = "adopted a dog", Kinds = [MemoryItemKind.Note, MemoryItemKind.Episode], Limit = 50 });
        Assert.Contains(hits, h => h.Item.Kind == MemoryItemKind.Note && h.DenseRank is not null);
        Assert.Contains(hits, h => h.Item.Kind == MemoryItemKind.Episode && h.DenseRank is not null);
    }

    [Fact]
    public async Task A_failing_embedder_leaves_the_items_pending()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(Deferred, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        embedder.Failure = new InvalidOperationException("model unavailable");

        await Assert.ThrowsAsync<InvalidOperationException>(() => memory.EmbedPendingAsync(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.EmbedPendingAsync(10, new CancellationToken(canceled: true)));

        Assert.Equal(15, memory.PendingEmbeddingCount);
        embedder.Failure = null;
        Assert.Equal(15, await memory.EmbedPendingAsync(100));
    }

    [Fact]
    public async Task The_default_embeds_on_ingest_and_queues_nothing()
    {
        var embedder = new CountingEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);

        await memory.IngestAsync(Talk.SmallSession());

        Assert.Equal(1, embedder.Calls);
        Assert.Equal(0, memory.PendingEmbeddingCount);
        Assert.Equal(0, await memory.EmbedPendingAsync(10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => memory.EmbedPendingAsync(0));
    }

    [Fact]
    public async Task Replay_queues_items_without_vectors_even_when_not_deferring()
    {
        var source = new AgentMemory(Deferred);
        await source.IngestAsync(Talk.SmallSession());
        var changes = source.DrainChanges();
        var embedder = new CountingEmbedder();
        var replayed = new AgentMemory(embeddingGenerator: embedder);

        replayed.ApplyChanges(changes);

        Assert.Equal(0, embedder.Calls);
        Assert.Equal(15, replayed.PendingEmbeddingCount);
        Assert.Equal(15, await replayed.EmbedPendingAsync(100));
    }

    [Fact]
    public async Task Statistics_count_what_the_memory_holds()
    {
        var memory = new AgentMemory(Deferred);
        Assert.Equal(new AgentMemoryStatistics(0, 0, 0, 0, 0, 0, null), memory.GetStatistics());
        await memory.IngestAsync(Talk.SmallSession());
        await memory.IngestAsync([Talk.Input("o:1", "Jon", "Hello from another session.", Talk.May8.AddDays(3), "s2")]);
        var added = await memory.AddNoteAsync(new NoteWrite { Text = "Jon says hello.", Subject = "Jon" });
        await memory.UpdateNoteAsync(added.Note.Id, new NoteWrite { Text = "Jon says hello twice.", Subject = "Jon" });

        var stats = memory.GetStatistics();

        Assert.Equal(new AgentMemoryStatistics(16, 2, 0, 1, 2, 17, Talk.May8.AddDays(3)), stats);
    }
}
