using MemoryFabric.Runtime.Reminders;
using MemoryFabric.Runtime.Storage;

namespace MemoryFabric.Runtime.Activation;

/// <summary>The <see cref="IActorContext"/> of one activation in the local runtime.</summary>
internal sealed class ActorContext : IActorContext
{
    private readonly ActorActivation _activation;
    private readonly ActorRuntime _runtime;
    private readonly Lock _lock = new();
    private readonly List<ActorTimer> _timers = [];
    private bool _closed;

    /// <summary>Creates the context of a new activation.</summary>
    /// <param name="activation">The activation.</param>
    /// <param name="runtime">The runtime.</param>
    /// <param name="stateStore">The state store.</param>
    /// <param name="reminders">The reminder service.</param>
    public ActorContext(ActorActivation activation, ActorRuntime runtime, IActorStateStore stateStore, ReminderService reminders)
    {
        _activation = activation;
        _runtime = runtime;
        Storage = new ActorStorage(activation.Id, stateStore, reminders);
        Reminders = new ActorReminderRegistry(activation, reminders);
    }

    /// <inheritdoc />
    public ActorId Id => _activation.Id;

    /// <inheritdoc />
    public TimeProvider TimeProvider => _runtime.TimeProvider;

    /// <inheritdoc />
    public IActorStorage Storage { get; }

    /// <inheritdoc />
    public IReminderRegistry Reminders { get; }

    /// <inheritdoc />
    public IActorClient Actors => _runtime;

    /// <inheritdoc />
    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must be positive, zero or infinite.");
        }

        if (period <= TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be positive or infinite (one-shot).");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var timer = new ActorTimer(_activation, this, callback, dueTime, period, _runtime.TimeProvider);
            _timers.Add(timer);
            return timer;
        }
    }

    /// <inheritdoc />
    public void DeactivateOnIdle(bool persist = true) => _activation.RequestDeactivateOnIdle(this, persist);

    /// <summary>Ends the context: stops its timers; later registrations fail.</summary>
    internal void Close()
    {
        ActorTimer[] timers;
        lock (_lock)
        {
            _closed = true;
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    /// <summary>Forgets a disposed timer.</summary>
    /// <param name="timer">The timer.</param>
    internal void Forget(ActorTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }
}
