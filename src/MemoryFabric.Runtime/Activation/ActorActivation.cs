using MemoryFabric.Runtime.Diagnostics;

namespace MemoryFabric.Runtime.Activation;

/// <summary>
/// An actor's mailbox and its current activation. Work items (calls, reminders, timer ticks, deactivations) queue here
/// and run one at a time, in order, on the thread pool. The first call or reminder creates the instance (and runs
/// <see cref="IActorLifecycle.OnActivateAsync"/>); a deactivation is the activation's last turn, and work queued behind
/// it goes to a fresh activation in the same mailbox. The mailbox leaves the directory once it has neither an instance
/// nor queued work.
/// </summary>
internal sealed class ActorActivation
{
    private const int TurnsBeforeYield = 64;

    private readonly ActorRuntime _runtime;
    private readonly Lock _lock = new();
    private readonly LinkedList<ActorWorkItem> _queue = new();
    private volatile bool _running;

    // A work item has been taken from the queue and its turn has not ended. Unlike _running (the pump is alive), this is
    // cleared by a call or reminder as its turn ends, before the caller hears of it: a caller that resumes may then find
    // the activation idle, and evictable, although the pump has not yet looked at the queue again.
    private volatile bool _inTurn;
    private bool _removed;
    private object? _instance;
    private ActorContext? _context;
    private bool _live;
    private DeactivationWorkItem? _pendingDeactivation;

    // 0: none; 1: deactivate after the current turn, persisting; 2: without persisting.
    private int _deactivateAfterTurn;

    /// <summary>Creates an empty mailbox.</summary>
    /// <param name="id">The actor.</param>
    /// <param name="registration">Its registration.</param>
    /// <param name="runtime">The runtime.</param>
    public ActorActivation(ActorId id, ActorRegistration registration, ActorRuntime runtime)
    {
        Id = id;
        Registration = registration;
        _runtime = runtime;
    }

    /// <summary>The actor.</summary>
    public ActorId Id { get; }

    /// <summary>Its registration.</summary>
    public ActorRegistration Registration { get; }

    /// <summary>The node in the directory's LRU list (guarded by the directory).</summary>
    public LinkedListNode<ActorActivation>? LruNode { get; set; }

    /// <summary>When the last call or reminder came or completed (a <see cref="TimeProvider"/> timestamp; guarded by
    /// the directory).</summary>
    public long LastActivity { get; set; }

    /// <summary>Whether a turn runs or waits (a hint, read without the lock). A call or reminder whose caller has heard of
    /// its outcome no longer counts, even when the queue loop has not yet noticed that the queue is empty.</summary>
    public bool IsBusy => _inTurn || _queue.Count > 0;

    /// <summary>Whether an instance exists (activating, active or deactivating).</summary>
    public bool HasInstance
    {
        get
        {
            lock (_lock)
            {
                return _instance is not null;
            }
        }
    }

    /// <summary>The current instance, if any.</summary>
    public object? Instance => Volatile.Read(ref _instance);

    /// <summary>Queues a work item.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="false"/> when this mailbox has left the directory (look the actor up again).</returns>
    public bool TryEnqueue(ActorWorkItem item)
    {
        bool start;
        lock (_lock)
        {
            if (_removed)
            {
                return false;
            }

            if (item.IsCancelled)
            {
                return true;
            }

            item.Owner = this;
            item.Node = _queue.AddLast(item);
            start = !_running;
            _running = true;
        }

        if (start)
        {
            StartPump();
        }

        return true;
    }

    /// <summary>Takes a cancelled item out of the queue.</summary>
    /// <param name="item">The item.</param>
    public void Remove(ActorWorkItem item)
    {
        lock (_lock)
        {
            if (item.Node is { } node)
            {
                _queue.Remove(node);
                item.Node = null;
            }
        }
    }

    /// <summary>Schedules the deactivation of the current activation, behind the work already queued.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="onlyIfIdle">Only when the activation is idle: nothing running or queued.</param>
    /// <returns>The deactivation's task; <see langword="null"/> when <paramref name="onlyIfIdle"/> and it is not idle
    /// (or already being deactivated).</returns>
    public Task? TryScheduleDeactivation(DeactivationReason reason, bool onlyIfIdle)
    {
        DeactivationWorkItem item;
        bool start;
        lock (_lock)
        {
            if (_pendingDeactivation is { } pending)
            {
                return onlyIfIdle ? null : pending.Task;
            }

            if (onlyIfIdle && (_inTurn || _queue.Count > 0 || _instance is null))
            {
                return null;
            }

            if (_removed || (_instance is null && !_running && _queue.Count == 0))
            {
                return onlyIfIdle ? null : Task.CompletedTask;
            }

            item = new DeactivationWorkItem(reason, persist: true) { Owner = this };
            _pendingDeactivation = item;
            StopCountingLocked();
            item.Node = _queue.AddLast(item);
            start = !_running;
            _running = true;
        }

        if (start)
        {
            StartPump();
        }

        return item.Task;
    }

    /// <summary>Asks for deactivation after the current turn (<see cref="IActorContext.DeactivateOnIdle"/>).</summary>
    /// <param name="context">The asking activation's context (ignored when stale).</param>
    /// <param name="persist">Whether <see cref="IActorLifecycle.OnDeactivateAsync"/> runs.</param>
    public void RequestDeactivateOnIdle(ActorContext context, bool persist)
    {
        DeactivationWorkItem? item = null;
        lock (_lock)
        {
            if (_removed || !ReferenceEquals(_context, context))
            {
                return;
            }

            _deactivateAfterTurn = Math.Max(_deactivateAfterTurn, persist ? 1 : 2);
            if (!_running && _pendingDeactivation is null)
            {
                // Not in a turn (e.g. called from a background task): deactivate now.
                item = new DeactivationWorkItem(DeactivationReason.Requested, _deactivateAfterTurn == 1) { Owner = this };
                _deactivateAfterTurn = 0;
                _pendingDeactivation = item;
                StopCountingLocked();
                item.Node = _queue.AddLast(item);
                _running = true;
            }
        }

        if (item is not null)
        {
            StartPump();
        }
    }

    /// <summary>Records the end of a call's or reminder's turn, before its caller hears of the outcome (see
    /// <see cref="ActorWorkItem.EndTurn"/>): the activation becomes the most recently used and, unless it asked to be
    /// deactivated after the turn, idle. So a caller that resumes and calls another actor can rely on the LRU order and
    /// on this activation being evictable, whatever the queue loop is still doing.</summary>
    public void OnTurnEnded()
    {
        lock (_lock)
        {
            _runtime.Directory.Touch(this);
            if (_deactivateAfterTurn != 0)
            {
                // It is on its way out: no longer counted against the cap (the loop deactivates it next).
                StopCountingLocked();
            }
            else
            {
                _inTurn = false;
            }
        }
    }

    private void StartPump() =>
        ThreadPool.UnsafeQueueUserWorkItem(static activation => _ = activation.PumpAsync(), this, preferLocal: false);

    private async Task PumpAsync()
    {
        var turns = 0;
        while (true)
        {
            ActorWorkItem item;
            lock (_lock)
            {
                var node = _queue.First;
                if (node is null)
                {
                    _inTurn = false;
                    _running = false;
                    if (_instance is null)
                    {
                        _removed = true;
                        _runtime.Directory.Remove(this);
                    }

                    return;
                }

                _inTurn = true;
                _queue.RemoveFirst();
                item = node.Value;
                item.Node = null;
            }

            if (!item.TryStart())
            {
                continue;
            }

            try
            {
                await ProcessAsync(item).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The pump must survive anything: the item is failed and the loop goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                item.Fail(ex);
            }

            if (++turns % TurnsBeforeYield == 0)
            {
                // Let other actors' pumps run when this one has a long queue of synchronous turns.
                await Task.Yield();
            }
        }
    }

    private async Task ProcessAsync(ActorWorkItem item)
    {
        switch (item.Kind)
        {
            case WorkItemKind.Deactivation:
                var deactivation = (DeactivationWorkItem)item;
                await DeactivateAsync(deactivation.Reason, deactivation.Persist).ConfigureAwait(false);
                deactivation.Complete();
                return;

            case WorkItemKind.Timer:
                var timer = (TimerWorkItem)item;
                if (_instance is not { } target || !ReferenceEquals(_context, timer.Timer.Context))
                {
                    item.Skip();
                    return;
                }

                try
                {
                    await RunTurnAsync(item, target).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A failing timer is logged; the activation lives on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    RuntimeLog.TimerFailed(_runtime.Logger, Id, ex);
                }

                break;

            default:
                if (_instance is null && !await ActivateAsync(item).ConfigureAwait(false))
                {
                    return;
                }

                var start = _runtime.TimeProvider.GetTimestamp();
                await RunTurnAsync(item, _instance!).ConfigureAwait(false);
                if (item.Kind == WorkItemKind.Call)
                {
                    _runtime.Metrics.CallCompleted(Registration.TypeName, _runtime.TimeProvider.GetElapsedTime(start));
                }

                item.EndTurn(); // Normally done by the item itself, before its caller heard of the outcome.
                break;
        }

        int request;
        lock (_lock)
        {
            request = _deactivateAfterTurn;
            _deactivateAfterTurn = 0;
            if (request != 0)
            {
                StopCountingLocked();
            }
        }

        if (request != 0)
        {
            await DeactivateAsync(DeactivationReason.Requested, persist: request == 1).ConfigureAwait(false);
        }
    }

    private Task RunTurnAsync(ActorWorkItem item, object instance)
    {
        var turn = new CallChainNode(Id, item.Caller);
        item.Turn = turn;
        return RunAsTurnAsync(turn, item.ExecutionContext, () => item.ExecuteAsync(instance, _runtime.LifetimeToken));
    }

    private static async Task RunAsTurnAsync(CallChainNode node, ExecutionContext? executionContext, Func<Task> body)
    {
        try
        {
            if (executionContext is null)
            {
                await RunInChainAsync(node, body).ConfigureAwait(false);
            }
            else
            {
                // Flow the caller's context (e.g. its trace) into the turn.
                Task? task = null;
                ExecutionContext.Run(executionContext, _ => task = RunInChainAsync(node, body), null);
                await task!.ConfigureAwait(false);
            }
        }
        finally
        {
            node.Complete();
        }
    }

    private static async Task RunInChainAsync(CallChainNode node, Func<Task> body)
    {
        // An async method: the chain set here does not leak back into the pump.
        CallChain.Current = node;
        await body().ConfigureAwait(false);
    }

    private async Task<bool> ActivateAsync(ActorWorkItem trigger)
    {
        _runtime.EnsureCapacity();
        var context = _runtime.CreateContext(this);
        object? instance = null;
        try
        {
            instance = Registration.CreateInstance(_runtime.Services, context);
            lock (_lock)
            {
                _instance = instance;
                _context = context;
                if (_pendingDeactivation is null)
                {
                    _live = true;
                    _runtime.Directory.AddLive(this);
                }
            }

            if (instance is IActorLifecycle lifecycle)
            {
                var token = _runtime.LifetimeToken;
                await RunAsTurnAsync(new CallChainNode(Id, null), null, () => lifecycle.OnActivateAsync(token)).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Any activation failure fails the waiting calls; the next call retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await FailActivationAsync(trigger, context, instance, ex).ConfigureAwait(false);
            return false;
        }

        _runtime.Metrics.Activated(Registration.TypeName);
        RuntimeLog.Activated(_runtime.Logger, Id);
        return true;
    }

    private async Task FailActivationAsync(ActorWorkItem trigger, ActorContext context, object? instance, Exception exception)
    {
        RuntimeLog.ActivationFailed(_runtime.Logger, Id, exception);
        context.Close();
        if (instance is not null)
        {
            await DisposeInstanceAsync(instance).ConfigureAwait(false);
        }

        List<ActorWorkItem> waiting = [];
        lock (_lock)
        {
            ClearLocked();
            for (var node = _queue.First; node is not null; node = node.Next)
            {
                node.Value.Node = null;
                waiting.Add(node.Value);
            }

            _queue.Clear();
        }

        trigger.Fail(exception);
        foreach (var item in waiting)
        {
            if (!item.TryStart())
            {
                continue;
            }

            if (item.Kind is WorkItemKind.Call or WorkItemKind.Reminder)
            {
                item.Fail(exception);
            }
            else
            {
                item.Skip();
            }
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason, bool persist)
    {
        var instance = _instance;
        var context = _context;
        if (instance is null || context is null)
        {
            lock (_lock)
            {
                _pendingDeactivation = null;
            }

            return;
        }

        context.Close();
        if (persist && instance is IActorLifecycle lifecycle)
        {
            try
            {
                var token = _runtime.LifetimeToken;
                await RunAsTurnAsync(new CallChainNode(Id, null), null, () => lifecycle.OnDeactivateAsync(reason, token)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failing deactivation is logged; the activation is dropped regardless.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.DeactivationFailed(_runtime.Logger, Id, reason, ex);
            }
        }

        await DisposeInstanceAsync(instance).ConfigureAwait(false);
        lock (_lock)
        {
            ClearLocked();
        }

        _runtime.Metrics.Deactivated(Registration.TypeName, reason);
        RuntimeLog.Deactivated(_runtime.Logger, Id, reason);
    }

    private async Task DisposeInstanceAsync(object instance)
    {
        try
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
#pragma warning disable CA1031 // A failing Dispose is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.DisposeFailed(_runtime.Logger, Id, ex);
        }
    }

    // Back to no instance: after a failed activation or a deactivation.
    private void ClearLocked()
    {
        _instance = null;
        _context = null;
        _deactivateAfterTurn = 0;
        _pendingDeactivation = null;
        StopCountingLocked();
    }

    private void StopCountingLocked()
    {
        if (_live)
        {
            _live = false;
            _runtime.Directory.RemoveLive(this);
        }
    }
}
