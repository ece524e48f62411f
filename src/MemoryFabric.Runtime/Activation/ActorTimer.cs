namespace MemoryFabric.Runtime.Activation;

/// <summary>
/// A timer registered by an activation (<see cref="IActorContext.RegisterTimer"/>): each tick queues a turn on the
/// activation; a tick that comes while the previous one is still queued or running is skipped. Disposed with the
/// activation.
/// </summary>
internal sealed class ActorTimer : IDisposable
{
    private readonly ActorActivation _activation;
    private readonly ActorContext _context;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private int _pending;
    private volatile bool _disposed;

    /// <summary>Creates and starts the timer.</summary>
    /// <param name="activation">The activation.</param>
    /// <param name="context">The activation's context.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="dueTime">The delay before the first tick.</param>
    /// <param name="period">The period, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="time">The clock.</param>
    public ActorTimer(
        ActorActivation activation,
        ActorContext context,
        Func<CancellationToken, Task> callback,
        TimeSpan dueTime,
        TimeSpan period,
        TimeProvider time)
    {
        _activation = activation;
        _context = context;
        _callback = callback;

        // The tick only queues a turn; it must not capture the registering turn's context.
        if (ExecutionContext.IsFlowSuppressed())
        {
            _timer = time.CreateTimer(static s => ((ActorTimer)s!).OnTick(), this, dueTime, period);
        }
        else
        {
            using (ExecutionContext.SuppressFlow())
            {
                _timer = time.CreateTimer(static s => ((ActorTimer)s!).OnTick(), this, dueTime, period);
            }
        }
    }

    /// <summary>The context of the activation that registered the timer.</summary>
    public ActorContext Context => _context;

    /// <summary>Stops the timer.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        _context.Forget(this);
    }

    /// <summary>Runs the callback as a turn.</summary>
    /// <param name="cancellationToken">Cancelled when the runtime is disposed.</param>
    /// <returns>The callback's task.</returns>
    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_disposed)
            {
                await _callback(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _pending, 0);
        }
    }

    /// <summary>A queued tick was dropped.</summary>
    internal void TickSkipped() => Volatile.Write(ref _pending, 0);

    private void OnTick()
    {
        if (_disposed || Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        if (!_activation.TryEnqueue(new TimerWorkItem(this)))
        {
            Volatile.Write(ref _pending, 0);
        }
    }
}
