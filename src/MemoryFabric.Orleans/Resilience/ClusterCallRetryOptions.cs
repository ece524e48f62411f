namespace MemoryFabric.Orleans.Resilience;

/// <summary>Options of <see cref="ClusterCallRetry"/>.</summary>
public sealed class ClusterCallRetryOptions
{
    /// <summary>How long after the first attempt a failed call is still tried again. It covers the time the cluster
    /// needs to declare a dead silo dead (see the cluster's failure detection settings) and place the grain again.
    /// <see cref="TimeSpan.Zero"/> turns retries off. Default: 5 s.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first retry; later waits grow exponentially (with jitter) up to
    /// <see cref="MaxDelay"/>. Default: 50 ms.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between two attempts. Default: 500 ms.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Budget, TimeSpan.Zero, nameof(Budget));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FirstDelay, TimeSpan.Zero, nameof(FirstDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, FirstDelay, nameof(MaxDelay));
    }
}
