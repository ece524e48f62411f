using MemoryFabric.Actors;
using MemoryFabric.Orleans.Calls;
using MemoryFabric.Runtime;

namespace MemoryFabric.Orleans.Grains;

/// <summary>The <see cref="IActorContext"/> an <see cref="ActorGrain{TActor}"/> gives its actor.</summary>
/// <typeparam name="TActor">The actor class.</typeparam>
internal sealed class GrainActorContext<TActor> : IActorContext
    where TActor : class
{
    private readonly ActorGrain<TActor> _grain;

    public GrainActorContext(ActorGrain<TActor> grain, ActorId id, TimeProvider timeProvider, IActorStorage storage, IReminderRegistry reminders, IFabricActorClient fabric)
    {
        _grain = grain;
        Id = id;
        TimeProvider = timeProvider;
        Storage = storage;
        Reminders = reminders;
        Fabric = fabric;
        Actors = new FabricActorClientAdapter(fabric);
    }

    public ActorId Id { get; }

    public TimeProvider TimeProvider { get; }

    public IActorStorage Storage { get; }

    public IReminderRegistry Reminders { get; }

    public IActorClient Actors { get; }

    /// <summary>Grain calls to the other actors of the fabric.</summary>
    public IFabricActorClient Fabric { get; }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _grain.RegisterActorTimer(callback, dueTime, period);
    }

    public void DeactivateOnIdle(bool persist = true) => _grain.RequestDeactivation(persist);
}
