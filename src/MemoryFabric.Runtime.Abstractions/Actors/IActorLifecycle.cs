namespace MemoryFabric.Runtime;

/// <summary>An actor that wants to load its state on activation and persist it on deactivation.</summary>
public interface IActorLifecycle
{
    /// <summary>Runs before the first call of an activation.</summary>
    /// <param name="cancellationToken">Cancels the activation.</param>
    /// <returns>A task that completes when the actor is ready.</returns>
    Task OnActivateAsync(CancellationToken cancellationToken);

    /// <summary>Runs after the last call of an activation (idle, capacity, shutdown or requested).</summary>
    /// <param name="reason">Why the actor is deactivated.</param>
    /// <param name="cancellationToken">Cancels the deactivation.</param>
    /// <returns>A task that completes when the state is persisted.</returns>
    Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken);
}

/// <summary>Why an activation ends.</summary>
public enum DeactivationReason
{
    /// <summary>It received no call for the idle timeout.</summary>
    Idle,

    /// <summary>The runtime reached its cap on active actors and this one was the least recently used.</summary>
    Capacity,

    /// <summary>The runtime is shutting down.</summary>
    Shutdown,

    /// <summary>The actor asked for it (<see cref="IActorContext.DeactivateOnIdle"/>).</summary>
    Requested,
}
