namespace MemoryFabric.Runtime;

/// <summary>The storage seam for reminders (SQLite by default).</summary>
public interface IReminderStore
{
    /// <summary>Loads every reminder of every actor.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reminders.</returns>
    Task<IReadOnlyList<ReminderEntry>> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a reminder; durable when the task completes.</summary>
    /// <param name="reminder">The reminder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task UpsertAsync(ReminderEntry reminder, CancellationToken cancellationToken = default);

    /// <summary>Removes a reminder; durable when the task completes.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="name">The reminder's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task DeleteAsync(ActorId actorId, string name, CancellationToken cancellationToken = default);

    /// <summary>Removes every reminder of an actor.</summary>
    /// <param name="actorId">The actor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task DeleteAllAsync(ActorId actorId, CancellationToken cancellationToken = default);
}
