using MemoryFabric.Runtime.Activation;

namespace MemoryFabric.Runtime.Reminders;

/// <summary>One actor's view of the <see cref="ReminderService"/>.</summary>
internal sealed class ActorReminderRegistry : IReminderRegistry
{
    private readonly ActorActivation _activation;
    private readonly ReminderService _service;

    /// <summary>Creates the view.</summary>
    /// <param name="activation">The actor's activation.</param>
    /// <param name="service">The reminder service.</param>
    public ActorReminderRegistry(ActorActivation activation, ReminderService service)
    {
        _activation = activation;
        _service = service;
    }

    /// <inheritdoc />
    public Task RegisterOrUpdateAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default)
    {
        if (!typeof(IRemindable).IsAssignableFrom(_activation.Registration.ActorType) && _activation.Instance is not IRemindable)
        {
            return Task.FromException(new InvalidOperationException(
                $"Actor {_activation.Id} ({_activation.Registration.ActorType.Name}) cannot register reminder '{name}': it does not implement {nameof(IRemindable)}."));
        }

        return _service.RegisterAsync(_activation.Id, name, dueTime, period, cancellationToken);
    }

    /// <inheritdoc />
    public Task UnregisterAsync(string name, CancellationToken cancellationToken = default) =>
        _service.UnregisterAsync(_activation.Id, name, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ReminderEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        _service.ListAsync(_activation.Id, cancellationToken);
}
