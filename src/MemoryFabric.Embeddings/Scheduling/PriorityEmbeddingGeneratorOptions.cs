namespace MemoryFabric.Embeddings;

/// <summary>Options of <see cref="PriorityEmbeddingGenerator"/>.</summary>
public sealed class PriorityEmbeddingGeneratorOptions
{
    /// <summary>How many dedicated threads run the encoder. Default: half the cores, at least one (one on a 2-core
    /// machine, so the encoder never takes every core from the requests).</summary>
    public int Workers { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Background batches are cut into calls of at most this many texts, so an interactive call waits at
    /// most for one such chunk. Default: 1 (MiniLM on one core: about 2.5 ms for a conversation turn, within a query's
    /// default 5 ms queue deadline; larger chunks measured no faster per text).</summary>
    public int BackgroundChunkSize { get; set; } = 1;

    /// <summary>The most texts of waiting interactive calls a worker encodes in one call (micro-batching; a single
    /// call larger than this still runs whole). Default: 8 (MiniLM: about 1 ms a query, 0.9 ms in a batch of 16;
    /// every caller of a batch waits for all of it).</summary>
    public int InteractiveBatchSize { get; set; } = 8;

    /// <summary>The most interactive calls that may wait for the encoder; a call arriving when this many wait is
    /// refused at once with <see cref="EmbedderOverloadedException"/>. Default: 64.</summary>
    public int InteractiveQueueLimit { get; set; } = 64;

    /// <summary>Calls that name no priority (<see cref="EmbeddingPriority.PropertyName"/>) are interactive when they
    /// have at most this many texts, background otherwise. Default: 1.</summary>
    public int InteractiveMaxCount { get; set; } = 1;

    /// <summary>The delay before retrying that <see cref="EmbedderOverloadedException"/> suggests. Default: 1 s.</summary>
    public TimeSpan OverloadRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackgroundChunkSize, 1, nameof(BackgroundChunkSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(InteractiveBatchSize, 1, nameof(InteractiveBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(InteractiveQueueLimit, 1, nameof(InteractiveQueueLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(InteractiveMaxCount, nameof(InteractiveMaxCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(OverloadRetryAfter, TimeSpan.Zero, nameof(OverloadRetryAfter));
    }
}
