namespace MemoryFabric.Orleans.Agents;

/// <summary>
/// Bounds how many agents embed their pending items at once, so background dense indexing never takes every core
/// from the requests. An agent that finds the gate full tries again a little later instead of waiting in its turn.
/// </summary>
public sealed class DenseIndexingGate
{
    private int _available;

    /// <summary>Creates a gate.</summary>
    /// <param name="maxConcurrent">How many agents may embed at once; default: half the cores, at least one.</param>
    public DenseIndexingGate(int? maxConcurrent = null)
    {
        MaxConcurrent = maxConcurrent ?? Math.Max(1, Environment.ProcessorCount / 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrent, 1, nameof(maxConcurrent));
        _available = MaxConcurrent;
    }

    /// <summary>How many agents may embed at once.</summary>
    public int MaxConcurrent { get; }

    /// <summary>Takes a place if one is free.</summary>
    /// <returns>Whether a place was taken (then call <see cref="Exit"/>).</returns>
    public bool TryEnter()
    {
        while (true)
        {
            var available = Volatile.Read(ref _available);
            if (available == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _available, available - 1, available) == available)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a place back.</summary>
    public void Exit() => Interlocked.Increment(ref _available);
}
