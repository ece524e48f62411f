using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests;

/// <summary>Ingest stores first and embeds after; a failing or cancelled embedder must roll the batch back.</summary>
public sealed class AgentMemoryIngestRollbackTests
{
    private static readonly TurnInput Caroline = Talk.Input("D1:1", "Caroline", "I ran the Boston marathon yesterday in under four hours.", Talk.May8);

    [Fact]
    public async Task A_failing_embedder_leaves_no_turn_behind()
    {
        var embedder = new FailingEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);
        await memory.IngestAsync([Caroline]);
        embedder.Failure = new InvalidOperationException("model unavailable");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => memory.IngestAsync(
        [
            Talk.Input("D1:2", "Melanie", "Congratulations on the marathon, that is a huge achievement!", Talk.May8.AddMinutes(1)),
            Talk.Input("X:1", "Jon", "A turn of a brand-new session.", Talk.May8.AddMinutes(2), "s-new"),
        ]));

        Assert.Equal("model unavailable", error.Message);
        embedder.Failure = null;
        Assert.Equal(["D1:1"], (await memory.GetTurnsAsync()).Select(t => t.Id));
        Assert.Empty(await memory.GetTurnsAsync("s-new"));
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "congratulations marathon achievement" }), h => h.Item.Id == "D1:2");
        var report = await memory.ConsolidateAsync();
        Assert.Equal(1, report.SessionsSegmented);
        Assert.All(await memory.GetEpisodesAsync(), e => Assert.Equal(["D1:1"], e.TurnIds));

        // The same turns can be ingested once the embedder is back.
        var retry = await memory.IngestAsync([Talk.Input("D1:2", "Melanie", "Congratulations on the marathon!", Talk.May8.AddMinutes(1))]);
        Assert.Equal(["D1:2"], retry.StoredTurnIds);
    }

    [Fact]
    public async Task A_cancelled_embedding_leaves_no_turn_behind()
    {
        var embedder = new FailingEmbedder { Failure = new OperationCanceledException() };
        var memory = new AgentMemory(embeddingGenerator: embedder);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.IngestAsync([Caroline]));

        Assert.Empty(await memory.GetTurnsAsync());
        var context = await memory.GetContextAsync(new ContextRequest { Query = "marathon", TokenBudget = 500 });
        Assert.Empty(context.Items);
    }

    [Fact]
    public async Task A_failed_batch_does_not_leave_its_speakers_behind()
    {
        var embedder = new FailingEmbedder();
        var memory = new AgentMemory(embeddingGenerator: embedder);
        await memory.IngestAsync([Caroline]);
        embedder.Failure = new InvalidOperationException("model unavailable");
        await Assert.ThrowsAsync<InvalidOperationException>(() => memory.IngestAsync([Talk.Input("X:1", "Jon", "Hello from Jon in another session.", Talk.May8, "s-jon")]));
        embedder.Failure = null;

        await memory.IngestAsync([Talk.Input("D1:2", "Melanie", "I'm proud of you for finishing the Boston marathon.", Talk.May8.AddMinutes(1))]);
        await memory.ConsolidateAsync();

        Assert.Contains(await memory.GetNotesAsync(), n => n.Text.Contains("Melanie is proud of Caroline", StringComparison.Ordinal));
    }
}
