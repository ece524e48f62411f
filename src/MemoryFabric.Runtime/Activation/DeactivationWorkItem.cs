namespace MemoryFabric.Runtime.Activation;

/// <summary>The last turn of an activation: runs <see cref="IActorLifecycle.OnDeactivateAsync"/> (when persisting)
/// and drops the instance.</summary>
internal sealed class DeactivationWorkItem : ActorWorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the item.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="persist">Whether <see cref="IActorLifecycle.OnDeactivateAsync"/> runs.</param>
    public DeactivationWorkItem(DeactivationReason reason, bool persist)
    {
        Reason = reason;
        Persist = persist;
    }

    /// <inheritdoc />
    public override WorkItemKind Kind => WorkItemKind.Deactivation;

    /// <summary>Why.</summary>
    public DeactivationReason Reason { get; }

    /// <summary>Whether <see cref="IActorLifecycle.OnDeactivateAsync"/> runs.</summary>
    public bool Persist { get; }

    /// <summary>Completes when the activation is gone.</summary>
    public Task Task => _completion.Task;

    /// <summary>Marks the deactivation done.</summary>
    public void Complete() => _completion.TrySetResult();

    /// <inheritdoc />
    public override Task ExecuteAsync(object actor, CancellationToken runtimeToken) =>
        throw new NotSupportedException("A deactivation is run by its activation.");

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetResult();

    /// <inheritdoc />
    public override void Skip() => _completion.TrySetResult();
}
