namespace MemoryFabric.Runtime.Activation;

/// <summary>One turn in a <see cref="CallChain"/>.</summary>
internal sealed class CallChainNode
{
    private volatile bool _completed;

    /// <summary>Creates a node.</summary>
    /// <param name="actorId">The actor whose turn this is.</param>
    /// <param name="parent">The turn that made the call, if any.</param>
    public CallChainNode(ActorId actorId, CallChainNode? parent)
    {
        ActorId = actorId;
        Parent = parent;
    }

    /// <summary>The actor whose turn this is.</summary>
    public ActorId ActorId { get; }

    /// <summary>The turn that made the call, if any.</summary>
    public CallChainNode? Parent { get; }

    /// <summary>Whether the turn has completed (code it started may outlive it).</summary>
    public bool IsCompleted => _completed;

    /// <summary>Marks the turn completed.</summary>
    public void Complete() => _completed = true;
}
