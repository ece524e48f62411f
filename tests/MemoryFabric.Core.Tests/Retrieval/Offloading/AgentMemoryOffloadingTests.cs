using System.Numerics.Tensors;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Embeddings;
using MemoryFabric.Retrieval;
using MemoryFabric.Retrieval.Offloading;

namespace MemoryFabric.Core.Tests.Retrieval.Offloading;

/// <summary>Large agents (<see cref="AgentMemory.OffloadTurnVectors"/>): a memory whose turn vectors an external index
/// holds answers every search as the memory that kept them; the offloaded turns survive a snapshot as ids, leave with a
/// forget, come home when reclaimed or when the embedder changes. Two memories built alike are compared, query by
/// query, so a search's own side effects (recall statistics) are the same on both.</summary>
public sealed class AgentMemoryOffloadingTests
{
    private static readonly string[] Queries =
    [
        "what did Caroline say about the marathon", "pottery supplies downtown", "the trip to Paris", "who reads on the train",
        "the kids were excited this morning", "book club", "garden in spring", "support group perspective", "concert tickets",
        "the new job next month",
    ];

    private readonly FakeTimeProvider _clock = new(Talk.May8.AddDays(400));

    [Fact]
    public async Task An_offloaded_memory_answers_every_search_as_the_memory_that_kept_its_vectors()
    {
        var kept = await MemoryAsync();
        var offloaded = await MemoryAsync();
        var external = new ExactExternalIndex();
        offloaded.OffloadedVectorIndex = external;

        var moved = offloaded.OffloadTurnVectors(external.Take);

        Assert.Equal(kept.TurnVectorCount, moved);
        Assert.Equal(0, offloaded.LocalTurnVectorCount);
        Assert.Equal(moved, offloaded.GetStatistics().OffloadedTurnVectors);
        await AssertSameSearchesAsync(kept, offloaded);
        Assert.True(external.Searches >= Queries.Length, "the dense turn candidates came from the external index");
    }

    [Fact]
    public async Task Only_the_turns_the_external_index_confirms_leave_and_the_rest_are_merged_with_its_hits()
    {
        var kept = await MemoryAsync();
        var offloaded = await MemoryAsync();
        var external = new ExactExternalIndex();
        offloaded.OffloadedVectorIndex = external;
        var every = 0;

        var moved = offloaded.OffloadTurnVectors((id, vector, time) => every++ % 2 == 0 && external.Take(id, vector, time));

        Assert.Equal(offloaded.TurnVectorCount - moved, offloaded.LocalTurnVectorCount);
        Assert.InRange(offloaded.LocalTurnVectorCount, 1, offloaded.TurnVectorCount - 1);
        await AssertSameSearchesAsync(kept, offloaded);
    }

    [Fact]
    public async Task A_snapshot_keeps_the_offloaded_turns_as_ids_and_the_restored_memory_searches_them_through_the_index()
    {
        var kept = await MemoryAsync();
        var source = await MemoryAsync();
        var external = new ExactExternalIndex();
        var moved = source.OffloadTurnVectors(external.Take);
        var before = kept.CreateSnapshot().Length;

        var snapshot = source.CreateSnapshot();
        var restored = new AgentMemory(Options(), _clock, new HashingEmbeddingGenerator(64)) { OffloadedVectorIndex = external };
        restored.RestoreSnapshot(snapshot);

        Assert.True(snapshot.Length < before - (moved * 64), $"the snapshot still holds the vectors: {snapshot.Length} bytes against {before}");
        Assert.Equal(moved, restored.OffloadedTurnVectorCount);
        Assert.Equal(0, restored.PendingEmbeddingCount);
        Assert.Equal(moved, restored.EnumerateDenseItems().Count(i => i is { Kind: MemoryItemKind.Turn, Vector: null }));
        await AssertSameSearchesAsync(kept, restored);
    }

    [Fact]
    public async Task A_forgotten_offloaded_turn_is_never_returned_though_the_external_index_still_holds_it()
    {
        var offloaded = await MemoryAsync();
        var external = new ExactExternalIndex();
        offloaded.OffloadedVectorIndex = external;
        offloaded.OffloadTurnVectors(external.Take);
        var turns = await offloaded.GetTurnsAsync();
        var victim = turns.First(t => t.Text.Contains("marathon", StringComparison.Ordinal));
        var log = offloaded.TrackDenseChanges();

        await offloaded.ForgetTurnsAsync([victim.Id]);

        Assert.True(external.Holds(victim.Id));
        // The turn after it, if it answered the forgotten one, is indexed anew: no longer offloaded, it waits for its vector.
        Assert.Equal(turns.Count - 1, offloaded.OffloadedTurnVectorCount + offloaded.PendingEmbeddingCount);
        Assert.DoesNotContain(offloaded.EnumerateDenseItems(), i => i.Id == victim.Id);
        Assert.Null(log.Drain()[(MemoryItemKind.Turn, victim.Id)]); // logged as removed: a mirror deletes it
        var hits = await offloaded.SearchAsync(new SearchRequest { Query = victim.Text, Limit = 50 });
        Assert.DoesNotContain(hits, h => h.Item.Id == victim.Id || h.Item.TurnIds.Contains(victim.Id));
    }

    [Fact]
    public async Task When_the_external_index_fails_a_search_answers_from_what_it_has_and_says_it_is_degraded()
    {
        var offloaded = await MemoryAsync();
        var external = new ExactExternalIndex();
        offloaded.OffloadTurnVectors(external.Take);
        offloaded.OffloadedVectorIndex = new FailingIndex();
        var marathon = (await offloaded.GetTurnsAsync()).First(t => t.Text.Contains("marathon", StringComparison.Ordinal));

        var response = await offloaded.GetSearchResponseAsync(new SearchRequest { Query = "the marathon", Limit = 20 });

        Assert.True(response.Degraded);
        Assert.Equal(OffloadedTurnVectors.UnavailableReason, response.DegradedReason);
        Assert.Contains(response.Hits, h => h.Item.Id == marathon.Id); // found on its lexical signal
        Assert.All(response.Hits, h => Assert.Null(h.DenseRank));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => offloaded.GetSearchResponseAsync(new SearchRequest { Query = "the marathon" }, new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task Reclaimed_turns_are_embedded_again_and_search_as_before()
    {
        var kept = await MemoryAsync();
        var offloaded = await MemoryAsync();
        var moved = offloaded.OffloadTurnVectors(new ExactExternalIndex().Take);

        Assert.Equal(moved, offloaded.ReclaimOffloadedTurnVectors());

        Assert.Equal(0, offloaded.OffloadedTurnVectorCount);
        Assert.Equal(moved, offloaded.PendingEmbeddingCount);
        await offloaded.EmbedPendingAsync(10_000);
        Assert.Equal(moved, offloaded.LocalTurnVectorCount);
        await AssertSameSearchesAsync(kept, offloaded);
    }

    [Fact]
    public async Task A_restore_under_another_embedder_queues_the_offloaded_turns_for_embedding()
    {
        var source = await MemoryAsync();
        var moved = source.OffloadTurnVectors(new ExactExternalIndex().Take);

        var restored = new AgentMemory(Options(), _clock, new HashingEmbeddingGenerator(32));
        restored.RestoreSnapshot(source.CreateSnapshot());

        Assert.Equal(0, restored.OffloadedTurnVectorCount);
        Assert.True(restored.PendingEmbeddingCount >= moved, $"{restored.PendingEmbeddingCount} pending, {moved} offloaded turns");
    }

    [Fact]
    public void A_merge_keeps_the_local_score_of_a_turn_held_here_and_external_hits_only_for_offloaded_turns()
    {
        var offloaded = new OffloadedTurnVectors();
        offloaded.Add("a");

        // b is held here (re-embedded since the external index took it): its local score stands; c is neither.
        var hits = offloaded.Merge([new ScoredKey<string>("b", 0.5)], [new ScoredKey<string>("a", 0.9), new ScoredKey<string>("b", 0.99), new ScoredKey<string>("c", 0.95)], 10);

        Assert.Equal(["a", "b"], hits.Select(h => h.Key));
        Assert.Equal([0.9, 0.5], hits.Select(h => h.Score));
        Assert.Equal([0, 1], hits.Select(h => h.Order));
        Assert.Equal(["a"], offloaded.Merge([new ScoredKey<string>("b", 0.5)], [new ScoredKey<string>("a", 0.9)], 1).Select(h => h.Key));
        Assert.Empty(offloaded.Merge([new ScoredKey<string>("b", 0.5)], [], 0));
    }

    private async Task AssertSameSearchesAsync(AgentMemory expected, AgentMemory actual)
    {
        foreach (var query in Queries)
        {
            var want = await expected.SearchAsync(new SearchRequest { Query = query, Limit = 20 });
            var got = await actual.SearchAsync(new SearchRequest { Query = query, Limit = 20 });
            Assert.Equal(want.Select(h => (h.Item.Kind, h.Item.Id, h.DenseRank)), got.Select(h => (h.Item.Kind, h.Item.Id, h.DenseRank)));
            Assert.Equal(want.Select(h => h.Item.Score), got.Select(h => h.Item.Score), (a, b) => Math.Abs(a - b) < 1e-9);
        }
    }

    private static AgentMemoryOptions Options() => new() { DeferEmbedding = true };

    private async Task<AgentMemory> MemoryAsync()
    {
        var memory = new AgentMemory(Options(), _clock, new HashingEmbeddingGenerator(64));
        await memory.IngestAsync(Talk.Generated(sessions: 6, turnsPerSession: 20));
        await memory.EmbedPendingAsync(10_000);
        Assert.Equal(120, memory.TurnVectorCount);
        return memory;
    }

    private sealed class FailingIndex : IOffloadedVectorIndex
    {
        public Task<IReadOnlyList<ScoredKey<string>>> SearchTurnsAsync(float[] query, int limit, CancellationToken cancellationToken) =>
            throw new TimeoutException("the shards did not answer");
    }

    // An exact index of the vectors handed over at offload time (what the tenant's shards would hold).
    private sealed class ExactExternalIndex : IOffloadedVectorIndex
    {
        private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

        public int Searches { get; private set; }

        public bool Take(string id, float[] vector, DateTimeOffset time)
        {
            _vectors[id] = (float[])vector.Clone();
            return true;
        }

        public bool Holds(string id) => _vectors.ContainsKey(id);

        public Task<IReadOnlyList<ScoredKey<string>>> SearchTurnsAsync(float[] query, int limit, CancellationToken cancellationToken)
        {
            Searches++;
            IReadOnlyList<ScoredKey<string>> hits = [.. _vectors.Select(p => (p.Key, Score: (double)TensorPrimitives.Dot(query, p.Value)))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Key, StringComparer.Ordinal).Take(limit)
                .Select((p, i) => new ScoredKey<string>(p.Key, p.Score, i))];
            return Task.FromResult(hits);
        }
    }
}
