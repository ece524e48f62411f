namespace MemoryFabric.Runtime;

/// <summary>An <see cref="IReminderStore"/> in process memory: for tests and ephemeral local use.</summary>
public sealed class InMemoryReminderStore : IReminderStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ActorId ActorId, string Name), ReminderEntry> _reminders = [];

    /// <summary>The number of stored reminders.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _reminders.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReminderEntry>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<ReminderEntry>>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>([.. _reminders.Values]);
        }
    }

    /// <inheritdoc />
    public Task UpsertAsync(ReminderEntry reminder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        lock (_lock)
        {
            _reminders[(reminder.ActorId, reminder.Name)] = reminder;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(ActorId actorId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        lock (_lock)
        {
            _reminders.Remove((actorId, name));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAllAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        lock (_lock)
        {
            foreach (var key in _reminders.Keys.Where(k => k.ActorId == actorId).ToList())
            {
                _reminders.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
