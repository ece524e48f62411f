namespace MemoryFabric.Runtime.Activation;

/// <summary>One queued turn of an actor: a call, a reminder, a timer tick or a deactivation.</summary>
internal abstract class ActorWorkItem
{
    private const int Queued = 0;
    private const int Started = 1;
    private const int Cancelled = 2;

    private int _state;
    private int _turnEnded;

    /// <summary>What the item is.</summary>
    public abstract WorkItemKind Kind { get; }

    /// <summary>The turn that made the call, if any (reentrancy detection).</summary>
    public CallChainNode? Caller { get; init; }

    /// <summary>The caller's execution context, flowed into the turn (tracing), or <see langword="null"/> to run in a
    /// clean one.</summary>
    public ExecutionContext? ExecutionContext { get; init; }

    /// <summary>The turn the item runs as, once it runs; completed before the caller hears of the result, so a caller
    /// that resumes may call the actor again at once.</summary>
    public CallChainNode? Turn { get; set; }

    /// <summary>Where the item waits in its activation's queue (guarded by the activation's lock).</summary>
    public LinkedListNode<ActorWorkItem>? Node { get; set; }

    /// <summary>The activation whose queue holds the item.</summary>
    public ActorActivation? Owner { get; set; }

    /// <summary>Whether the item was cancelled while it waited.</summary>
    public bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

    /// <summary>Claims the item for running; fails when it was cancelled.</summary>
    /// <returns>Whether it runs.</returns>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Started, Queued) != Queued)
        {
            return false;
        }

        OnStarted();
        return true;
    }

    /// <summary>Ends the item's turn (once): completes <see cref="Turn"/> and lets the owning activation record the end
    /// of the turn (<see cref="ActorActivation.OnTurnEnded"/>). Calls and reminders do this before their caller hears of
    /// the outcome, so a caller that resumes finds the actor most recently used and idle.</summary>
    public void EndTurn()
    {
        if (Interlocked.Exchange(ref _turnEnded, 1) != 0)
        {
            return;
        }

        Turn?.Complete();
        Owner?.OnTurnEnded();
    }

    /// <summary>Runs the item's code as a turn of <paramref name="actor"/>, completing the item. Exceptions of calls
    /// and reminders go to their callers; others propagate.</summary>
    /// <param name="actor">The actor.</param>
    /// <param name="runtimeToken">Cancelled when the runtime is disposed.</param>
    /// <returns>A task that completes with the turn.</returns>
    public abstract Task ExecuteAsync(object actor, CancellationToken runtimeToken);

    /// <summary>Fails the item without running it (e.g. the activation failed).</summary>
    /// <param name="exception">Why.</param>
    public abstract void Fail(Exception exception);

    /// <summary>Drops the item without running it (e.g. a timer tick for a finished activation).</summary>
    public virtual void Skip()
    {
    }

    /// <summary>Cancels the item if it has not started, and takes it out of its queue.</summary>
    /// <returns>Whether it was cancelled.</returns>
    protected bool TryCancel()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) != Queued)
        {
            return false;
        }

        Owner?.Remove(this);
        return true;
    }

    /// <summary>Runs when the item starts (e.g. to stop listening for cancellation).</summary>
    protected virtual void OnStarted()
    {
    }
}
