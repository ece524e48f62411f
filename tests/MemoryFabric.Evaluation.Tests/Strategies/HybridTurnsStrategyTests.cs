using MemoryFabric.Embeddings;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Evaluation.Tests.Support;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Evaluation.Tests.Strategies;

public class HybridTurnsStrategyTests
{
    private static readonly DateTimeOffset Later = new(2023, 7, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fusion_sums_reciprocal_ranks_over_the_lists()
    {
        // Key 1: 1/61 + 1/62; key 3: 1/63 + 1/61; key 2: 1/62 only.
        var fused = HybridTurnsStrategy.Fuse([[1, 2, 3], [3, 1]], 60);

        Assert.Equal([1, 3, 2], fused.Select(f => f.Key));
        Assert.Equal((1.0 / 61) + (1.0 / 62), fused[0].Score, 12);
        Assert.Equal((1.0 / 63) + (1.0 / 61), fused[1].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
    }

    [Fact]
    public void Fusion_breaks_ties_by_conversation_order_and_keeps_keys_of_one_list()
    {
        var fused = HybridTurnsStrategy.Fuse([[7, 4], [4, 7], []], 60);

        Assert.Equal([4, 7], fused.Select(f => f.Key));
        Assert.Equal(fused[0].Score, fused[1].Score);
        Assert.Equal([5, 9], HybridTurnsStrategy.Fuse([[5], [9]], 1).Select(f => f.Key));
    }

    [Fact]
    public async Task A_turn_ranked_high_by_both_lists_comes_first()
    {
        var strategy = new HybridTurnsStrategy(new HashingEmbeddingGenerator());
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        // 84 characters of budget: only the best fused turn (81 characters rendered) fits.
        var context = await strategy.GetContextAsync("Which class did Melanie sign up for, pottery?", Later, 21, CancellationToken.None);

        var item = Assert.Single(context.Items);
        Assert.Equal("D2:1", item.Id);
        Assert.Equal(["D2:1"], item.TurnIds);
        Assert.Equal("retrieved", context.Mode);
    }

    [Fact]
    public async Task The_dense_list_brings_in_turns_that_share_no_term_with_the_question()
    {
        // BM25 finds nothing for a word no turn has; the dense list still ranks every turn, so the context is not empty.
        var strategy = new HybridTurnsStrategy(new HashingEmbeddingGenerator());
        var bm25 = new Bm25TurnsStrategy();
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);
        await bm25.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var hybrid = await strategy.GetContextAsync("xylophone?", Later, 1000, CancellationToken.None);
        var lexical = await bm25.GetContextAsync("xylophone?", Later, 1000, CancellationToken.None);

        Assert.Empty(lexical.Items);
        Assert.Equal(TinyConversation.Create().TurnCount, hybrid.Items.Count);
    }

    [Fact]
    public async Task Both_rankings_count_a_lexical_only_match_beats_a_turn_neither_list_favours()
    {
        // An embedder that sees every text alike: the dense list is in conversation order, so fusion follows BM25
        // for the turns BM25 found and puts them ahead of the rest.
        var strategy = new HybridTurnsStrategy(new ConstantEmbedder());
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("running mental health", Later, 1000, CancellationToken.None);

        Assert.Equal(TinyConversation.Create().TurnCount, context.Items.Count);
        Assert.Equal("D2:3", context.Items.MaxBy(i => i.Score)!.Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(1000)]
    public async Task Packing_never_exceeds_the_budget(int budget)
    {
        var strategy = new HybridTurnsStrategy(new HashingEmbeddingGenerator());
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("Melanie Caroline kids pottery support group", Later, budget, CancellationToken.None);

        Assert.True(ContextTokens.Count(context.Text) <= budget);
        Assert.Equal(ContextTokens.Count(context.Text), context.Tokens);
        var timestamps = context.Items.Select(i => i.Timestamp).ToList();
        Assert.Equal(timestamps.Order(), timestamps);
    }

    [Fact]
    public void The_catalog_has_hybrid_turns_after_dense_turns()
    {
        var catalog = StrategyCatalog.Create(() => new FakeAgentMemory(), embedderName: "minilm");

        var names = catalog.Select(d => d.Name).ToList();
        Assert.Equal(names.IndexOf("dense-turns") + 1, names.IndexOf("hybrid-turns"));
        var hybrid = catalog.Single(d => d.Name == StrategyNames.HybridTurns);
        Assert.Contains("minilm", hybrid.Description, StringComparison.Ordinal);
        Assert.Contains("k = 60", hybrid.Description, StringComparison.Ordinal);
        Assert.IsType<HybridTurnsStrategy>(hybrid.Create());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridTurnsStrategy(rrfK: 0));
    }

    private sealed class ConstantEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1f, 0f }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
