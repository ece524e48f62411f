using MemoryFabric.Actors;
using MemoryFabric.Runtime;

namespace MemoryFabric.Orleans.Calls;

/// <summary>The <see cref="IActorClient"/> a grain-hosted actor gets as <see cref="IActorContext.Actors"/>: calls by
/// actor interface (<see cref="IAgentMemoryActor"/>, <see cref="ITenantDirectoryActor"/>,
/// <see cref="ITenantGuardActor"/>) become grain calls through <see cref="IFabricActorClient"/>. Actor classes
/// (e.g. <c>InvokeAsync&lt;AgentMemoryActor, T&gt;</c>) cannot be reached across silos and are refused.</summary>
internal sealed class FabricActorClientAdapter(IFabricActorClient fabric) : IActorClient
{
    public Task<TResult> InvokeAsync<TActor, TResult>(string key, Func<TActor, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken = default)
        where TActor : class
    {
        ArgumentNullException.ThrowIfNull(call);
        if (typeof(TActor) == typeof(IAgentMemoryActor))
        {
            return fabric.CallAgentAsync(key, (actor, ct) => call((TActor)(object)actor, ct), cancellationToken);
        }

        if (typeof(TActor) == typeof(ITenantDirectoryActor))
        {
            return fabric.CallTenantDirectoryAsync((actor, ct) => call((TActor)(object)actor, ct), cancellationToken);
        }

        if (typeof(TActor) == typeof(ITenantGuardActor))
        {
            return fabric.CallTenantGuardAsync(key, (actor, ct) => call((TActor)(object)actor, ct), cancellationToken);
        }

        throw new NotSupportedException($"In a cluster, actors are called through their interfaces (IAgentMemoryActor, ITenantDirectoryActor, ITenantGuardActor), not as {typeof(TActor).Name}.");
    }
}
