using MemoryFabric.Actors;
using MemoryFabric.Guard;
using MemoryFabric.Runtime;

namespace MemoryFabric.Orleans.Grains;

/// <summary>The grain that hosts a tenant's <see cref="TenantGuardActor"/> (key: the tenant id).</summary>
/// <param name="services">The silo's services.</param>
public sealed partial class TenantGuardGrain(IServiceProvider services) : ActorGrain<ITenantGuardActor>(services), ITenantGuardGrain
{
    /// <inheritdoc />
    protected override string ActorType => TenantGuardActor.TypeName;

    /// <inheritdoc />
    protected override ITenantGuardActor CreateActor(IActorContext context) => new TenantGuardActor(context);
}
