using MemoryFabric.Actors;
using MemoryFabric.Orleans.Grains;

namespace MemoryFabric.Orleans.Calls;

/// <summary>
/// <see cref="IFabricActorClient"/> over an Orleans cluster: the call receives a grain reference
/// (<see cref="IAgentMemoryGrain"/>, <see cref="ITenantDirectoryGrain"/>, <see cref="ITenantGuardGrain"/>), which
/// implements the actor interface, so the server's endpoints and the actors' calls to each other are the same code on
/// the local runtime and in a cluster. Registered by <c>AddMemoryFabric</c> (in a silo) and
/// <c>AddMemoryFabricClient</c> (in a client).
/// </summary>
/// <param name="grains">The grain factory (a silo's or a cluster client's).</param>
public sealed class OrleansFabricActorClient(IGrainFactory grains) : IFabricActorClient
{
    private readonly IGrainFactory _grains = grains ?? throw new ArgumentNullException(nameof(grains));

    /// <inheritdoc />
    public Task<T> CallAgentAsync<T>(string key, Func<IAgentMemoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(call);
        return call(_grains.GetGrain<IAgentMemoryGrain>(key), cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> CallTenantDirectoryAsync<T>(Func<ITenantDirectoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call(_grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryActor.DirectoryKey), cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> CallTenantGuardAsync<T>(string tenant, Func<ITenantGuardActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentNullException.ThrowIfNull(call);
        return call(_grains.GetGrain<ITenantGuardGrain>(tenant), cancellationToken);
    }
}
