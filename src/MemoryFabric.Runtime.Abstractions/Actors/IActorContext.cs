namespace MemoryFabric.Runtime;

/// <summary>
/// What a runtime gives one activation of an actor: its identity, its clock, its durable storage, its reminders and
/// timers, and a way to call other actors. The local runtime and an Orleans grain each provide one.
/// </summary>
public interface IActorContext
{
    /// <summary>The actor's address.</summary>
    ActorId Id { get; }

    /// <summary>The clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The actor's snapshot + journal storage.</summary>
    IActorStorage Storage { get; }

    /// <summary>The actor's durable reminders.</summary>
    IReminderRegistry Reminders { get; }

    /// <summary>Calls other actors.</summary>
    IActorClient Actors { get; }

    /// <summary>
    /// Registers a timer whose callback runs as a turn of this actor (never concurrently with another call). Timers are
    /// not durable: they die with the activation.
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <param name="dueTime">The delay before the first tick.</param>
    /// <param name="period">The period; <see cref="Timeout.InfiniteTimeSpan"/> for a one-shot timer.</param>
    /// <returns>Disposing it stops the timer.</returns>
    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);

    /// <summary>Asks the runtime to deactivate this activation once the current call completes.</summary>
    /// <param name="persist">Whether <see cref="IActorLifecycle.OnDeactivateAsync"/> runs (<see langword="false"/>
    /// drops the in-memory state, e.g. after a failed write, so the next call reloads it from storage).</param>
    void DeactivateOnIdle(bool persist = true);
}
