using System.Diagnostics;
using MemoryFabric.Orleans.Diagnostics;

namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>One queued write. The writer runs it inside the group's transaction, in a savepoint of its own, and
/// completes it only after the transaction committed.</summary>
internal abstract class WriteOperation
{
    private const int Queued = 0;
    private const int Started = 1;
    private const int Cancelled = 2;

    private readonly CancellationTokenRegistration _registration;
    private int _state;

    /// <summary>Creates the operation; cancelling the token before it starts cancels it.</summary>
    /// <param name="cancellationToken">The caller's token.</param>
    protected WriteOperation(CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
        TraceContext = StorageTracing.Source.HasListeners() ? Activity.Current?.Context ?? default : default;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static s => ((WriteOperation)s!).OnCancelled(), this);
        }
    }

    /// <summary>The caller's token.</summary>
    protected CancellationToken CancellationToken { get; }

    /// <summary>The caller's trace context when the operation was queued (default when nobody traces storage): the
    /// group commit's span is linked to it.</summary>
    public ActivityContext TraceContext { get; }

    /// <summary>About how many bytes the operation writes (to bound a group).</summary>
    public virtual long Size => 64;

    /// <summary>Claims the operation for the writer; fails when it was cancelled.</summary>
    /// <returns>Whether it runs.</returns>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Started, Queued) != Queued)
        {
            return false;
        }

        _registration.Unregister();
        return true;
    }

    /// <summary>Runs the operation's statements (inside its savepoint).</summary>
    /// <param name="session">The writer session.</param>
    public abstract void Execute(WriterSession session);

    /// <summary>Reports success; called after the commit.</summary>
    public abstract void Complete();

    /// <summary>Reports failure.</summary>
    /// <param name="exception">Why.</param>
    public abstract void Fail(Exception exception);

    /// <summary>Reports cancellation.</summary>
    protected abstract void SetCancelled();

    private void OnCancelled()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            SetCancelled();
        }
    }
}
