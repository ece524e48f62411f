using MemoryFabric.Embeddings;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class QueryVectorSourceTests
{
    private readonly List<EmbeddingGenerationOptions> _asked = [];

    private QueryVectorSource Source(TimeSpan deadline, Exception? failure = null) =>
        new((texts, options, _) =>
        {
            _asked.Add(options);
            return failure is null
                ? Task.FromResult(texts.Select(t => new float[] { t.Length }).ToArray())
                : Task.FromException<float[][]>(failure);
        }, deadline);

    [Fact]
    public async Task The_query_is_asked_for_as_interactive_with_its_queue_deadline()
    {
        var vector = await Source(TimeSpan.FromMilliseconds(5)).EmbedQueryAsync("where", CancellationToken.None);

        Assert.Equal([5f], vector.Vector!);
        Assert.Null(vector.DegradedReason);
        var options = Assert.Single(_asked);
        Assert.Equal(EmbeddingPriority.Interactive, EmbeddingPriority.Get(options));
        Assert.Equal(TimeSpan.FromMilliseconds(5), EmbeddingPriority.GetQueueDeadline(options));
    }

    [Theory]
    [InlineData(-1)] // Timeout.InfiniteTimeSpan
    [InlineData(0)]
    public async Task An_infinite_or_zero_deadline_asks_without_one(int milliseconds)
    {
        var source = Source(TimeSpan.FromMilliseconds(milliseconds));

        await source.EmbedQueryAsync("where", CancellationToken.None);

        Assert.Null(source.Deadline);
        Assert.Equal(EmbeddingPriority.Interactive, EmbeddingPriority.Get(_asked[0]));
        Assert.Null(EmbeddingPriority.GetQueueDeadline(_asked[0]));
        Assert.False(_asked[0].AdditionalProperties!.ContainsKey(EmbeddingPriority.QueueDeadlinePropertyName));
    }

    [Fact]
    public async Task A_missed_deadline_or_a_refusal_under_a_deadline_degrades_the_query()
    {
        var late = await Source(TimeSpan.FromMilliseconds(5), new EmbeddingDeadlineExceededException(TimeSpan.FromMilliseconds(5))).EmbedQueryAsync("q", CancellationToken.None);
        var refused = await Source(TimeSpan.FromMilliseconds(5), new EmbedderOverloadedException("full", TimeSpan.FromSeconds(1))).EmbedQueryAsync("q", CancellationToken.None);

        Assert.Equal((null, QueryVectorSource.DeadlineReason), (late.Vector, late.DegradedReason));
        Assert.Equal((null, QueryVectorSource.OverloadReason), (refused.Vector, refused.DegradedReason));
    }

    [Fact]
    public async Task Without_a_deadline_a_refusal_reaches_the_caller_and_other_failures_always_do()
    {
        await Assert.ThrowsAsync<EmbedderOverloadedException>(() =>
            Source(Timeout.InfiniteTimeSpan, new EmbedderOverloadedException("full", TimeSpan.FromSeconds(1))).EmbedQueryAsync("q", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source(TimeSpan.FromMilliseconds(5), new InvalidOperationException("broken")).EmbedQueryAsync("q", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source(TimeSpan.FromMilliseconds(5), new InvalidOperationException("broken")).TryEmbedOnDemandAsync(["a"], CancellationToken.None));
    }

    [Fact]
    public async Task On_demand_vectors_are_one_interactive_call_and_nothing_when_the_embedder_cannot_start_in_time()
    {
        var vectors = await Source(TimeSpan.FromMilliseconds(5)).TryEmbedOnDemandAsync(["a", "bb"], CancellationToken.None);

        Assert.Equal([[1f], [2f]], vectors);
        Assert.Equal(EmbeddingPriority.Interactive, EmbeddingPriority.Get(Assert.Single(_asked)));
        Assert.Null(await Source(TimeSpan.FromMilliseconds(5), new EmbeddingDeadlineExceededException()).TryEmbedOnDemandAsync(["a"], CancellationToken.None));
        Assert.Null(await Source(Timeout.InfiniteTimeSpan, new EmbedderOverloadedException()).TryEmbedOnDemandAsync(["a"], CancellationToken.None));
    }

    [Fact]
    public void A_negative_deadline_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Source(TimeSpan.FromMilliseconds(-5)));
    }
}
