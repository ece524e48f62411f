using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Retrieval;

/// <summary>
/// The vectors a query needs, asked for as <see cref="EmbeddingPriority.Interactive"/> with the query's queue deadline
/// (<see cref="RetrievalOptions.QueryEmbeddingDeadline"/>): the query's own, and the pending items it embeds on demand
/// (read-after-write). When the embedder cannot start on the query in time, the query has no vector and the answer is
/// degraded (ranked on its lexical signals) instead of waiting in the embedder's queue; on-demand embedding is then
/// skipped, as it is when only it misses its deadline.
/// </summary>
/// <remarks>A cached query vector (the server's cache sits in front of its scheduler) never waits, so a repeated
/// query is never degraded; an embedder that schedules nothing ignores the deadline and never degrades a query.</remarks>
internal sealed class QueryVectorSource
{
    /// <summary>The reason of a degraded answer whose query missed its queue deadline.</summary>
    public const string DeadlineReason = "embedding-deadline";

    /// <summary>The reason of a degraded answer whose query the embedder refused at once (its queue is full).</summary>
    public const string OverloadReason = "embedder-overloaded";

    private readonly EmbedTexts _embed;

    /// <summary>Creates the source.</summary>
    /// <param name="embed">Embeds texts with options (the memory's embedder call, with its checks).</param>
    /// <param name="queryEmbeddingDeadline">The queue deadline; <see cref="Timeout.InfiniteTimeSpan"/> or
    /// <see cref="TimeSpan.Zero"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The deadline is negative (other than infinite).</exception>
    public QueryVectorSource(EmbedTexts embed, TimeSpan queryEmbeddingDeadline)
    {
        _embed = embed ?? throw new ArgumentNullException(nameof(embed));
        if (queryEmbeddingDeadline != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(queryEmbeddingDeadline, TimeSpan.Zero, nameof(queryEmbeddingDeadline));
        }

        Deadline = queryEmbeddingDeadline == Timeout.InfiniteTimeSpan || queryEmbeddingDeadline == TimeSpan.Zero ? null : queryEmbeddingDeadline;
    }

    /// <summary>Embeds texts with options.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="options">The options (priority and deadline).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One vector per text.</returns>
    public delegate Task<float[][]> EmbedTexts(IReadOnlyList<string> texts, EmbeddingGenerationOptions options, CancellationToken cancellationToken);

    /// <summary>The queue deadline of the query path; <see langword="null"/> when it is off.</summary>
    public TimeSpan? Deadline { get; }

    /// <summary>The query's vector, or why it has none.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The vector, or the reason the answer is degraded.</returns>
    /// <exception cref="EmbedderOverloadedException">The embedder refused the query and no deadline is set: the caller
    /// asked for the vector or nothing.</exception>
    public async Task<QueryVector> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        try
        {
            // Marked as a query: an asymmetric model (arctic-xs) encodes it with its query instruction.
            var vectors = await _embed([query], EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions(Deadline)), cancellationToken).ConfigureAwait(false);
            return new QueryVector(vectors[0], null);
        }
        catch (EmbeddingDeadlineExceededException)
        {
            return new QueryVector(null, DeadlineReason);
        }
        catch (EmbedderOverloadedException) when (Deadline is not null)
        {
            return new QueryVector(null, OverloadReason); // a deadline that cannot be met, known at once
        }
    }

    /// <summary>The vectors of pending items a query embeds on demand, or <see langword="null"/> when the embedder
    /// cannot start on them in time (they are then ranked on the signals they have).</summary>
    /// <param name="texts">The items' texts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One vector per text, or <see langword="null"/>.</returns>
    public async Task<float[][]?> TryEmbedOnDemandAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        try
        {
            return await _embed(texts, EmbeddingPriority.CreateInteractiveOptions(Deadline), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EmbeddingDeadlineExceededException or EmbedderOverloadedException)
        {
            return null;
        }
    }
}

/// <summary>A query's vector, or the reason it has none (the answer is then degraded).</summary>
/// <param name="Vector">The vector, or <see langword="null"/>.</param>
/// <param name="DegradedReason">Why there is no vector (<see cref="QueryVectorSource.DeadlineReason"/> or
/// <see cref="QueryVectorSource.OverloadReason"/>), or <see langword="null"/>.</param>
internal readonly record struct QueryVector(float[]? Vector, string? DegradedReason);
