using MemoryFabric.Actors;

namespace MemoryFabric.Orleans.Grains;

/// <summary>An agent's memory as a grain (key <c>tenant/agent</c>): the calls of <see cref="IAgentMemoryActor"/>,
/// answered by an <see cref="AgentMemoryActor"/> hosted in the grain.</summary>
[Alias("memoryfabric.agent")]
public interface IAgentMemoryGrain : IGrainWithStringKey, IAgentMemoryActor
{
}

/// <summary>The tenant directory as a grain (key <see cref="TenantDirectoryActor.DirectoryKey"/>): the calls of
/// <see cref="ITenantDirectoryActor"/>, answered by a hosted <see cref="TenantDirectoryActor"/>.</summary>
[Alias("memoryfabric.tenants")]
public interface ITenantDirectoryGrain : IGrainWithStringKey, ITenantDirectoryActor
{
}

/// <summary>A tenant's guard as a grain (key: the tenant id): the calls of <see cref="ITenantGuardActor"/>, answered
/// by a hosted <see cref="TenantGuardActor"/>. Agents call it from their own turns (peer claims for consensus).</summary>
[Alias("memoryfabric.guard")]
public interface ITenantGuardGrain : IGrainWithStringKey, ITenantGuardActor
{
}
