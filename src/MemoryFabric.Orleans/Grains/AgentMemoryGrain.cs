using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Grains;

/// <summary>The grain that hosts an <see cref="AgentMemoryActor"/> (key <c>tenant/agent</c>). Its dependencies come
/// from the silo's services: <see cref="IAgentMemoryFactory"/> (required), <see cref="AgentMemoryActorOptions"/> and
/// <see cref="AgentMemoryMetrics"/> (optional), and <see cref="IFabricActorClient"/>, through which the actor's calls
/// to its tenant's guard (policy, peer claims for consensus) are grain-to-grain calls.</summary>
/// <param name="services">The silo's services.</param>
public sealed partial class AgentMemoryGrain(IServiceProvider services) : ActorGrain<IAgentMemoryActor>(services), IAgentMemoryGrain
{
    /// <inheritdoc />
    protected override string ActorType => AgentMemoryActor.TypeName;

    /// <inheritdoc />
    protected override IAgentMemoryActor CreateActor(IActorContext context) => new AgentMemoryActor(
        context,
        Services.GetRequiredService<IAgentMemoryFactory>(),
        Services.GetService<AgentMemoryActorOptions>(),
        Services.GetService<AgentMemoryMetrics>(),
        Services.GetService<ILogger<AgentMemoryActor>>(),
        Services.GetRequiredService<IFabricActorClient>());
}
