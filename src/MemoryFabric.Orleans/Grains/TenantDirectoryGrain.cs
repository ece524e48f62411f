using MemoryFabric.Actors;
using MemoryFabric.Runtime;

namespace MemoryFabric.Orleans.Grains;

/// <summary>The grain that hosts the <see cref="TenantDirectoryActor"/> (key
/// <see cref="TenantDirectoryActor.DirectoryKey"/>).</summary>
/// <param name="services">The silo's services.</param>
public sealed partial class TenantDirectoryGrain(IServiceProvider services) : ActorGrain<ITenantDirectoryActor>(services), ITenantDirectoryGrain
{
    /// <inheritdoc />
    protected override string ActorType => TenantDirectoryActor.TypeName;

    /// <inheritdoc />
    protected override ITenantDirectoryActor CreateActor(IActorContext context) => new TenantDirectoryActor(context);
}
