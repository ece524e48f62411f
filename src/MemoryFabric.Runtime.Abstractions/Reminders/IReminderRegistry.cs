namespace MemoryFabric.Runtime;

/// <summary>An actor's durable reminders: a persisted schedule that survives deactivation and restarts.</summary>
public interface IReminderRegistry
{
    /// <summary>Creates or replaces a reminder.</summary>
    /// <param name="name">The reminder's name, unique per actor.</param>
    /// <param name="dueTime">The delay before the first firing.</param>
    /// <param name="period">The period between firings (at least one second).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schedule is durable.</returns>
    Task RegisterOrUpdateAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default);

    /// <summary>Removes a reminder; does nothing when there is none.</summary>
    /// <param name="name">The reminder's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    Task UnregisterAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the actor's reminders.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reminders.</returns>
    Task<IReadOnlyList<ReminderEntry>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>A persisted reminder.</summary>
/// <param name="ActorId">The actor it belongs to.</param>
/// <param name="Name">Its name.</param>
/// <param name="NextDue">When it fires next.</param>
/// <param name="Period">The period between firings.</param>
public sealed record ReminderEntry(ActorId ActorId, string Name, DateTimeOffset NextDue, TimeSpan Period);
