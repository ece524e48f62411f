using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using MemoryFabric.Embeddings.Tests.Support;

namespace MemoryFabric.Embeddings.Tests.ArcticXs;

/// <summary>
/// A memory written with MiniLM (its snapshot and the journal written after it: what a data directory holds) and reopened
/// with arctic-xs never mixes the two vector spaces: every stored MiniLM vector is dropped and its item queued, the
/// background embedding then gives exactly the vectors a memory built with arctic-xs from the start has.
/// </summary>
public sealed class EmbedderSwitchTests : IClassFixture<ModelFixture>, IClassFixture<ArcticXsModelFixture>
{
    private static readonly DateTimeOffset Start = new(2023, 5, 8, 13, 0, 0, TimeSpan.Zero);

    // Nothing embedded on demand at query time, so what the index holds is what was restored or embedded in the background.
    private static readonly AgentMemoryOptions QueueOnly = new() { Retrieval = new RetrievalOptions { PendingDenseScoringLimit = 0 } };

    private readonly ModelFixture _miniLm;
    private readonly ArcticXsModelFixture _arctic;

    public EmbedderSwitchTests(ModelFixture miniLm, ArcticXsModelFixture arctic) => (_miniLm, _arctic) = (miniLm, arctic);

    [Fact]
    public async Task Reopening_a_minilm_memory_with_arctic_xs_re_embeds_everything_and_mixes_nothing()
    {
        var written = new AgentMemory(embeddingGenerator: _miniLm.Generator);
        await written.IngestAsync(Turns(0, 12));
        await written.EmbedPendingAsync(10_000);
        var snapshot = written.CreateSnapshot();
        written.DrainChanges();
        await written.IngestAsync(Turns(12, 6)); // journaled after the snapshot, with MiniLM vectors
        await written.EmbedPendingAsync(10_000);
        var journal = written.DrainChanges();
        var miniLmVectors = written.EnumerateDenseItems().ToDictionary(i => i.Id, i => i.Vector!);
        Assert.All(miniLmVectors.Values, Assert.NotNull);

        var reopened = new AgentMemory(QueueOnly, embeddingGenerator: _arctic.Generator);
        reopened.RestoreSnapshot(snapshot);
        reopened.ApplyChanges(journal);

        // No MiniLM vector survives: everything waits for arctic-xs, and a query meanwhile ranks on lexical signals only.
        Assert.All(reopened.EnumerateDenseItems(), i => Assert.Null(i.Vector));
        Assert.Equal(miniLmVectors.Count, reopened.PendingEmbeddingCount);
        var before = await reopened.SearchAsync(new SearchRequest { Query = "Which dog did Melanie adopt?" });
        Assert.NotEmpty(before);
        Assert.All(before, h => Assert.Null(h.DenseRank));

        Assert.Equal(miniLmVectors.Count, await reopened.EmbedPendingAsync(10_000));

        // The re-embedded vectors are arctic-xs's, the same a memory built with arctic-xs from scratch holds.
        var fresh = new AgentMemory(embeddingGenerator: _arctic.Generator);
        await fresh.IngestAsync(Turns(0, 18));
        await fresh.EmbedPendingAsync(10_000);
        var arcticVectors = fresh.EnumerateDenseItems().ToDictionary(i => i.Id, i => i.Vector!);
        foreach (var item in reopened.EnumerateDenseItems())
        {
            Assert.NotNull(item.Vector);
            if (arcticVectors.TryGetValue(item.Id, out var expected))
            {
                Assert.True(ModelFixture.Cosine(item.Vector, expected) > 0.9999f, item.Id);
            }

            Assert.True(ModelFixture.Cosine(item.Vector, miniLmVectors[item.Id]) < 0.95f, item.Id);
        }

        Assert.Contains(await reopened.SearchAsync(new SearchRequest { Query = "Which dog did Melanie adopt?" }), h => h.DenseRank is not null);

        // And the new snapshot records arctic-xs: reopening it with MiniLM drops the vectors again.
        var back = new AgentMemory(QueueOnly, embeddingGenerator: _miniLm.Generator);
        back.RestoreSnapshot(reopened.CreateSnapshot());
        Assert.All(back.EnumerateDenseItems(), i => Assert.Null(i.Vector));
    }

    private static List<TurnInput> Turns(int first, int count)
    {
        string[] lines =
        [
            "I went to the LGBTQ support group yesterday and it was so powerful.",
            "That's wonderful! I adopted a dog last week, a beagle named Oscar.",
            "The weather has been rainy all week here.",
            "I watched a documentary about whales on television.",
            "Our neighbours repainted their fence a bright yellow color.",
            "The grocery store near us started selling fresh bagels.",
            "My phone battery keeps dying in the afternoon.",
            "Traffic downtown was terrible because of roadworks.",
            "I finally fixed the squeaky hinge on the kitchen cupboard.",
            "The library extended its opening hours on weekdays.",
            "A new bakery opened across from the train station.",
            "My sister sent me a postcard from her trip to the coast.",
            "The city installed new benches along the river path.",
            "I reorganized the bookshelves in the spare bedroom.",
            "Somebody left a lost umbrella on the bus this morning.",
            "I signed up for a pottery class on Thursday evenings.",
            "Oscar chewed through his leash again at the park.",
            "We are planning a camping trip to the lake in July.",
        ];
        return [.. Enumerable.Range(first, count).Select(i => new TurnInput
        {
            Id = $"D1:{i + 1}",
            SessionId = i < 12 ? "s1" : "s2",
            Speaker = i % 2 == 0 ? "Caroline" : "Melanie",
            Text = lines[i],
            Timestamp = Start.AddMinutes(i),
        })];
    }
}
