namespace MemoryFabric.Runtime;

/// <summary>An actor class known to the runtime: its type name (the <see cref="ActorId.Type"/> of its actors) and how
/// to construct an activation.</summary>
public sealed class ActorRegistration
{
    private readonly Func<IServiceProvider, IActorContext, object> _factory;

    private ActorRegistration(string typeName, Type actorType, Func<IServiceProvider, IActorContext, object> factory)
    {
        TypeName = typeName;
        ActorType = actorType;
        _factory = factory;
    }

    /// <summary>The actor type name, e.g. <c>agent</c>.</summary>
    public string TypeName { get; }

    /// <summary>The actor class.</summary>
    public Type ActorType { get; }

    /// <summary>Creates a registration.</summary>
    /// <typeparam name="TActor">The actor class.</typeparam>
    /// <param name="typeName">The actor type name, e.g. <c>agent</c>.</param>
    /// <param name="factory">Creates one activation from the services and the activation's context.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="ArgumentException">The type name is blank or contains <c>:</c>.</exception>
    public static ActorRegistration Create<TActor>(string typeName, Func<IServiceProvider, IActorContext, TActor> factory)
        where TActor : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        if (typeName.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The actor type name '{typeName}' must not contain ':'.", nameof(typeName));
        }

        return new ActorRegistration(typeName, typeof(TActor), factory);
    }

    /// <inheritdoc />
    public override string ToString() => TypeName + " (" + ActorType.Name + ")";

    /// <summary>Creates one activation.</summary>
    /// <param name="services">The services.</param>
    /// <param name="context">The activation's context.</param>
    /// <returns>The actor.</returns>
    internal object CreateInstance(IServiceProvider services, IActorContext context) =>
        _factory(services, context) ?? throw new InvalidOperationException($"The factory of actor type '{TypeName}' returned null.");
}
