namespace MemoryFabric.Runtime.Activation;

/// <summary>A reminder delivery: calls <see cref="IRemindable.ReceiveReminderAsync"/>.</summary>
internal sealed class ReminderWorkItem : ActorWorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the item.</summary>
    /// <param name="name">The reminder's name.</param>
    /// <param name="tick">The firing.</param>
    public ReminderWorkItem(string name, ReminderTick tick)
    {
        Name = name;
        Tick = tick;
    }

    /// <inheritdoc />
    public override WorkItemKind Kind => WorkItemKind.Reminder;

    /// <summary>The reminder's name.</summary>
    public string Name { get; }

    /// <summary>The firing.</summary>
    public ReminderTick Tick { get; }

    /// <summary>Completes when the reminder was handled; faults when it failed.</summary>
    public Task Task => _completion.Task;

    /// <inheritdoc />
    public override async Task ExecuteAsync(object actor, CancellationToken runtimeToken)
    {
        try
        {
            if (actor is not IRemindable remindable)
            {
                throw new InvalidOperationException(
                    $"Reminder '{Name}' fired for an actor of class {actor.GetType().Name}, which does not implement {nameof(IRemindable)}.");
            }

            await remindable.ReceiveReminderAsync(Name, Tick, runtimeToken).ConfigureAwait(false);
            EndTurn();
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            EndTurn();
            _completion.TrySetException(ex);
        }
    }

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
