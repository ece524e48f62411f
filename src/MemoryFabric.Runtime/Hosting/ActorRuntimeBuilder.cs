using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Runtime;

/// <summary>Registers actor classes with the <see cref="ActorRuntime"/> added by
/// <see cref="ActorRuntimeServiceCollectionExtensions.AddActorRuntime"/>.</summary>
public sealed class ActorRuntimeBuilder
{
    /// <summary>Creates a builder over a service collection.</summary>
    /// <param name="services">The services.</param>
    public ActorRuntimeBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers an actor class under a type name.</summary>
    /// <typeparam name="TActor">The actor class.</typeparam>
    /// <param name="typeName">The type name of its actors (<see cref="ActorId.Type"/>), e.g. <c>agent</c>.</param>
    /// <param name="factory">Creates one activation from the services and the activation's context.</param>
    /// <returns>This builder.</returns>
    public ActorRuntimeBuilder AddActor<TActor>(string typeName, Func<IServiceProvider, IActorContext, TActor> factory)
        where TActor : class
    {
        Services.AddSingleton(ActorRegistration.Create(typeName, factory));
        return this;
    }
}
