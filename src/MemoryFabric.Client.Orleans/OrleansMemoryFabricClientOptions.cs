namespace MemoryFabric.Client.Orleans;

/// <summary>Options of <see cref="OrleansMemoryFabricClient"/>.</summary>
public sealed class OrleansMemoryFabricClientOptions
{
    /// <summary>The default of <see cref="MaxBatchSize"/>: the server's default <c>MaxBatchSize</c>.</summary>
    public const int DefaultMaxBatchSize = 1_000;

    /// <summary>The most turns one grain call stores, as the server's <c>MemoryFabric:MaxBatchSize</c> bounds one
    /// request: <see cref="IMemoryFabricClient.IngestAsync(string, IReadOnlyList{MemoryFabric.Conversation.TurnInput}, CancellationToken)"/>
    /// refuses a larger batch (400), and the batching overload sends batches of this size. 1 to 100,000; default
    /// <see cref="DefaultMaxBatchSize"/>.</summary>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>How long a call that may run twice with the effect of once (a read, a search, an ingest whose turns
    /// all carry ids) keeps trying an agent whose silo cannot be reached (a crashed silo not yet declared dead, the
    /// agent being placed again) before Orleans' exception reaches the caller. <see cref="TimeSpan.Zero"/> turns
    /// retries off. Default: 5 s.</summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (MaxBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize is 1 to 100,000.");
        }

        if (RetryBudget < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBudget), RetryBudget, "RetryBudget is zero or more.");
        }
    }
}
