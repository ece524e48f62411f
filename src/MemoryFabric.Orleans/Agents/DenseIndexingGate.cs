namespace MemoryFabric.Orleans.Agents;

/// <summary>
/// Bounds how many agents embed their pending items at once, so background dense indexing never takes every core
/// from the requests, and lets requests go first: while as many requests are being served as there are cores
/// (<see cref="ForegroundLimit"/>), background indexing waits. An agent that finds the gate closed tries again a
/// little later instead of waiting in its turn; a new item is found lexically meanwhile.
/// </summary>
public sealed class DenseIndexingGate
{
    private int _available;
    private int _foreground;

    /// <summary>Creates a gate.</summary>
    /// <param name="maxConcurrent">How many agents may embed at once; default: half the cores, at least one.</param>
    /// <param name="foregroundLimit">How many requests in progress close the gate to background indexing;
    /// default: the number of cores.</param>
    public DenseIndexingGate(int? maxConcurrent = null, int? foregroundLimit = null)
    {
        MaxConcurrent = maxConcurrent ?? Math.Max(1, Environment.ProcessorCount / 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrent, 1, nameof(maxConcurrent));
        ForegroundLimit = foregroundLimit ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(ForegroundLimit, 1, nameof(foregroundLimit));
        _available = MaxConcurrent;
    }

    /// <summary>How many requests in progress close the gate to background indexing.</summary>
    public int ForegroundLimit { get; }

    /// <summary>Requests being served now (agent calls between <see cref="EnterForeground"/> and its dispose).</summary>
    public int Foreground => Volatile.Read(ref _foreground);

    /// <summary>Marks a request in progress until the returned scope is disposed.</summary>
    /// <returns>The scope.</returns>
    public ForegroundScope EnterForeground()
    {
        Interlocked.Increment(ref _foreground);
        return new ForegroundScope(this);
    }

    /// <summary>How many agents may embed at once.</summary>
    public int MaxConcurrent { get; }

    /// <summary>Takes a place if one is free.</summary>
    /// <returns>Whether a place was taken (then call <see cref="Exit"/>).</returns>
    public bool TryEnter()
    {
        if (Foreground >= ForegroundLimit)
        {
            return false;
        }

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

    /// <summary>A request in progress (see <see cref="EnterForeground"/>).</summary>
    public readonly struct ForegroundScope : IDisposable
    {
        private readonly DenseIndexingGate? _gate;

        internal ForegroundScope(DenseIndexingGate gate) => _gate = gate;

        /// <inheritdoc />
        public void Dispose()
        {
            if (_gate is not null)
            {
                Interlocked.Decrement(ref _gate._foreground);
            }
        }
    }
}
