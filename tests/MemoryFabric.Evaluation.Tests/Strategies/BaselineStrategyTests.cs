using MemoryFabric.Embeddings;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Evaluation.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Tests.Strategies;

public class BaselineStrategyTests
{
    private static readonly DateTimeOffset Later = new(2023, 7, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Renders_a_turn_with_its_day()
    {
        var date = new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

        Assert.Equal("[8 May 2023] Caroline: hello", TurnRenderer.Render(date, "Caroline", "hello"));
        Assert.Equal("Caroline: hello", TurnRenderer.Render(date, "Caroline", "hello", includeDate: false));
        Assert.Equal("[8 May 2023] Caroline: a b", TurnRenderer.Render(date, "Caroline", "a\nb"));
    }

    [Fact]
    public async Task Bm25_finds_the_right_turn()
    {
        var strategy = new Bm25TurnsStrategy();
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("Which class did Melanie sign up for, pottery?", Later, 1000, CancellationToken.None);

        var item = Assert.Single(context.Items);
        Assert.Equal("D2:1", item.Id);
        Assert.Equal(["D2:1"], item.TurnIds);
        Assert.Contains("[25 May 2023] Melanie: I signed up for a pottery class", context.Text, StringComparison.Ordinal);
        Assert.Equal("retrieved", context.Mode);
    }

    [Fact]
    public async Task Bm25_returns_nothing_when_no_term_matches()
    {
        var strategy = new Bm25TurnsStrategy();
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("xylophone?", Later, 1000, CancellationToken.None);

        Assert.Empty(context.Items);
        Assert.Equal(string.Empty, context.Text);
    }

    [Fact]
    public async Task Dense_finds_the_right_turn()
    {
        var strategy = new DenseTurnsStrategy(new HashingEmbeddingGenerator());
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("adoption agencies", Later, 30, CancellationToken.None);

        Assert.Equal("D2:2", Assert.Single(context.Items).Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(35)]
    [InlineData(60)]
    [InlineData(1000)]
    public async Task Packing_never_exceeds_the_budget(int budget)
    {
        IContextStrategy[] strategies = [new Bm25TurnsStrategy(), new DenseTurnsStrategy(), new RecentTurnsStrategy()];
        foreach (var strategy in strategies)
        {
            await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);
            var context = await strategy.GetContextAsync("What did Melanie and Caroline do with the kids, pottery, support group?", Later, budget, CancellationToken.None);

            Assert.True(ContextTokens.Count(context.Text) <= budget, $"{strategy.GetType().Name}: {context.Tokens} > {budget}");
            Assert.Equal(ContextTokens.Count(context.Text), context.Tokens);
            Assert.Equal(context.Items.Count, context.Text.Length == 0 ? 0 : context.Text.Split('\n').Length);
        }
    }

    [Fact]
    public async Task Packing_skips_a_turn_that_does_not_fit_and_tries_the_next()
    {
        // Ranked for this query: D2:1 (pottery, clay, class; 67 chars rendered) then D2:3 (running; 60 chars).
        var strategy = new Bm25TurnsStrategy(new TurnBaselineOptions { IncludeDate = false });
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);
        const string query = "pottery clay class running";

        var narrow = await strategy.GetContextAsync(query, Later, 16, CancellationToken.None);
        var medium = await strategy.GetContextAsync(query, Later, 20, CancellationToken.None);
        var wide = await strategy.GetContextAsync(query, Later, 40, CancellationToken.None);

        Assert.Equal(["D2:3"], narrow.Items.Select(i => i.Id));
        Assert.Equal(["D2:1"], medium.Items.Select(i => i.Id));
        Assert.Equal(["D2:1", "D2:3"], wide.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Packed_turns_are_rendered_in_conversation_order_by_default()
    {
        var strategy = new Bm25TurnsStrategy();
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("Melanie painted running pottery", Later, 1000, CancellationToken.None);

        var timestamps = context.Items.Select(i => i.Timestamp).ToList();
        Assert.Equal(timestamps.Order(), timestamps);
        Assert.True(context.Items.Count >= 3);
    }

    [Fact]
    public async Task Recent_takes_the_latest_turns_in_order()
    {
        var strategy = new RecentTurnsStrategy();
        await strategy.IngestAsync(TinyConversation.Create(), CancellationToken.None);

        var context = await strategy.GetContextAsync("anything", Later, 45, CancellationToken.None);

        Assert.Equal(["D2:2", "D2:3"], context.Items.Select(i => i.Id));
        Assert.EndsWith("Running has been great for my mental health lately.", context.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_ignores_the_budget()
    {
        var strategy = new FullHistoryStrategy();
        var conversation = TinyConversation.Create();
        await strategy.IngestAsync(conversation, CancellationToken.None);

        var context = await strategy.GetContextAsync("anything", Later, 10, CancellationToken.None);

        Assert.Equal(conversation.TurnCount, context.Items.Count);
        Assert.True(context.Tokens > 10);
        Assert.Equal("verbatim", context.Mode);
        Assert.Equal(["D1:1", "D1:2", "D1:3", "D1:4", "D2:1", "D2:2", "D2:3"], context.Items.Select(i => i.Id));
    }

    [Fact]
    public void The_catalog_selects_by_name_and_rejects_unknown_names()
    {
        var catalog = StrategyCatalog.Create(() => new FakeAgentMemory());

        Assert.Equal(StrategyNames.All, catalog.Select(d => d.Name));
        Assert.Equal(["recent", "bm25-turns"], StrategyCatalog.Select(catalog, ["recent", " BM25-turns "]).Select(d => d.Name));
        var e = Assert.Throws<ArgumentException>(() => StrategyCatalog.Select(catalog, ["bm25"]));
        Assert.Contains("unknown strategy \"bm25\"", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => StrategyCatalog.Select(catalog, ["full", "full"]));
        Assert.True(catalog.Single(d => d.Name == "full").IgnoresBudget);
    }
}
