using MemoryFabric.Runtime;

namespace MemoryFabric.Actors;

/// <summary>Calls the fabric's actors hosted by the local runtime: each call runs in a turn of the actor
/// (<see cref="AgentMemoryActor"/>, <see cref="TenantDirectoryActor"/>, <see cref="TenantGuardActor"/>).</summary>
/// <param name="actors">The runtime's client.</param>
public sealed class RuntimeFabricActorClient(IActorClient actors) : IFabricActorClient
{
    private readonly IActorClient _actors = actors ?? throw new ArgumentNullException(nameof(actors));

    /// <inheritdoc />
    public Task<T> CallAgentAsync<T>(string key, Func<IAgentMemoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _actors.InvokeAsync<AgentMemoryActor, T>(key, (actor, ct) => call(actor, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> CallTenantDirectoryAsync<T>(Func<ITenantDirectoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _actors.InvokeAsync<TenantDirectoryActor, T>(TenantDirectoryActor.DirectoryKey, (actor, ct) => call(actor, ct), cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> CallTenantGuardAsync<T>(string tenant, Func<ITenantGuardActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return _actors.InvokeAsync<TenantGuardActor, T>(tenant, (actor, ct) => call(actor, ct), cancellationToken);
    }
}
