namespace MemoryFabric.Runtime.Activation;

/// <summary>What a queued <see cref="ActorWorkItem"/> is.</summary>
internal enum WorkItemKind
{
    /// <summary>A call through <see cref="IActorClient"/>; activates the actor.</summary>
    Call,

    /// <summary>A reminder delivery; activates the actor.</summary>
    Reminder,

    /// <summary>A timer tick; runs only on the activation that registered the timer.</summary>
    Timer,

    /// <summary>The end of the activation.</summary>
    Deactivation,
}
