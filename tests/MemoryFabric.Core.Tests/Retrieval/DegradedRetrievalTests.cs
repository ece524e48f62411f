using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Embeddings;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Retrieval;

/// <summary>A busy embedder (a scheduler whose queue the query could not get through in time) makes searches and
/// contexts answer from lexical signals, flagged degraded; background embedding is asked for as background.</summary>
public sealed class DegradedRetrievalTests
{
    private const string Query = "beagle named Oscar";

    [Fact]
    public async Task Search_and_context_answer_from_lexical_signals_flagged_degraded_when_the_query_misses_its_deadline()
    {
        var embedder = new BusyEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        embedder.Refuse = (_, options) => EmbeddingPriority.Get(options) == EmbeddingPriority.Interactive ? new EmbeddingDeadlineExceededException(TimeSpan.FromMilliseconds(5)) : null;

        var search = await memory.GetSearchResponseAsync(new SearchRequest { Query = Query, Limit = 5 });
        var hits = await memory.SearchAsync(new SearchRequest { Query = Query, Limit = 5 });
        var context = await memory.GetContextAsync(new ContextRequest { Query = Query, TokenBudget = 60, PreferVerbatimWhenItFits = false });

        Assert.True(search.Degraded);
        Assert.Equal("embedding-deadline", search.DegradedReason);
        Assert.Equal("D1:2", search.Hits[0].Item.Id); // the turn that says it, found lexically
        Assert.All(search.Hits, h => Assert.Null(h.DenseRank));
        Assert.Equal(search.Hits.Select(h => h.Item.Id), hits.Select(h => h.Item.Id));
        Assert.True(context.Degraded);
        Assert.Equal("embedding-deadline", context.DegradedReason);
        Assert.Contains(context.Items, i => i.Id == "D1:2");

        var asked = embedder.Options[^1];
        Assert.Equal(EmbeddingPriority.Interactive, EmbeddingPriority.Get(asked));
        Assert.Equal(new RetrievalOptions().QueryEmbeddingDeadline, EmbeddingPriority.GetQueueDeadline(asked));
    }

    [Fact]
    public async Task Without_the_exception_nothing_is_degraded()
    {
        var embedder = new BusyEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());

        var search = await memory.GetSearchResponseAsync(new SearchRequest { Query = Query, Limit = 5 });
        var context = await memory.GetContextAsync(new ContextRequest { Query = Query, TokenBudget = 60, PreferVerbatimWhenItFits = false });
        var verbatim = await memory.GetContextAsync(new ContextRequest { Query = Query, TokenBudget = 4_000 });

        Assert.False(search.Degraded);
        Assert.Null(search.DegradedReason);
        Assert.Equal(("D1:2", 1), (search.Hits[0].Item.Id, search.Hits[0].DenseRank));
        Assert.False(context.Degraded);
        Assert.Null(context.DegradedReason);
        Assert.Equal("verbatim", verbatim.Mode);
        Assert.False(verbatim.Degraded);
    }

    [Fact]
    public async Task A_refusal_degrades_under_a_deadline_and_reaches_the_caller_without_one()
    {
        var embedder = new BusyEmbedder();
        var withDeadline = new AgentMemory(embeddingGenerator: embedder);
        var withoutDeadline = new AgentMemory(new AgentMemoryOptions { Retrieval = new RetrievalOptions { QueryEmbeddingDeadline = Timeout.InfiniteTimeSpan } }, embeddingGenerator: embedder);
        await withDeadline.IngestAsync(Talk.SmallSession());
        await withoutDeadline.IngestAsync(Talk.SmallSession());
        embedder.Refuse = (_, options) => EmbeddingPriority.Get(options) == EmbeddingPriority.Interactive ? new EmbedderOverloadedException("full", TimeSpan.FromSeconds(2)) : null;

        var degraded = await withDeadline.GetSearchResponseAsync(new SearchRequest { Query = Query });

        Assert.True(degraded.Degraded);
        Assert.Equal("embedder-overloaded", degraded.DegradedReason);
        Assert.Equal("D1:2", degraded.Hits[0].Item.Id);
        var refused = await Assert.ThrowsAsync<EmbedderOverloadedException>(() => withoutDeadline.SearchAsync(new SearchRequest { Query = Query }));
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        Assert.Null(EmbeddingPriority.GetQueueDeadline(embedder.Options[^1]));
    }

    [Fact]
    public async Task A_degraded_query_embeds_nothing_on_demand_and_the_background_batch_is_asked_for_as_background()
    {
        var embedder = new BusyEmbedder();
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        embedder.Refuse = (_, options) => EmbeddingPriority.Get(options) == EmbeddingPriority.Interactive ? new EmbeddingDeadlineExceededException() : null;

        var search = await memory.GetSearchResponseAsync(new SearchRequest { Query = Query });

        Assert.True(search.Degraded);
        Assert.Equal("D1:2", search.Hits[0].Item.Id);
        Assert.Equal(15, memory.PendingEmbeddingCount); // nothing embedded on demand
        Assert.Equal(1, embedder.Calls); // the query only
        Assert.Equal(15, await memory.EmbedPendingAsync(100));
        Assert.Equal(EmbeddingPriority.Background, EmbeddingPriority.Get(embedder.Options[^1]));
    }

    [Fact]
    public async Task On_demand_embedding_that_misses_its_deadline_leaves_the_items_pending_and_the_answer_whole()
    {
        var embedder = new BusyEmbedder();
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        embedder.Refuse = (texts, _) => texts.Contains(Query) ? null : new EmbeddingDeadlineExceededException(); // the query gets through, not what follows

        var search = await memory.GetSearchResponseAsync(new SearchRequest { Query = Query });

        Assert.False(search.Degraded);
        Assert.Equal(15, memory.PendingEmbeddingCount);
        Assert.Equal(2, embedder.Calls); // the query, then one on-demand call for the pending items it needed
        Assert.Equal("D1:2", search.Hits[0].Item.Id); // ranked on the signals it has
    }

    [Fact]
    public async Task Consolidation_embeds_its_episodes_and_notes_as_background()
    {
        var embedder = new BusyEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);
        await memory.IngestAsync(Talk.SmallSession());
        var before = embedder.Options.Count;

        await memory.ConsolidateAsync();

        var consolidation = embedder.Options.Skip(before).ToList();
        Assert.NotEmpty(consolidation);
        Assert.All(consolidation, o => Assert.Equal(EmbeddingPriority.Background, EmbeddingPriority.Get(o)));
    }

    /// <summary>The hashed embedder behind a rule that may refuse a call (as a busy scheduler would); it records each
    /// call's options.</summary>
    private sealed class BusyEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly HashingEmbeddingGenerator _inner = new();

        public Func<IReadOnlyList<string>, EmbeddingGenerationOptions?, Exception?>? Refuse { get; set; }

        public List<EmbeddingGenerationOptions?> Options { get; } = [];

        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            Calls++;
            Options.Add(options);
            return Refuse?.Invoke(texts, options) is { } refusal
                ? Task.FromException<GeneratedEmbeddings<Embedding<float>>>(refusal)
                : _inner.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

        public void Dispose() => _inner.Dispose();
    }
}
