namespace MemoryFabric.Runtime.Activation;

/// <summary>A call through <see cref="IActorClient"/>: runs the caller's delegate and completes its task.</summary>
/// <typeparam name="TActor">The actor class the caller asked for.</typeparam>
/// <typeparam name="TResult">The result.</typeparam>
internal sealed class CallWorkItem<TActor, TResult> : ActorWorkItem
    where TActor : class
{
    private readonly Func<TActor, CancellationToken, Task<TResult>> _call;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    /// <summary>Creates the item; it listens for cancellation while it waits.</summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels waiting and is passed to the call.</param>
    public CallWorkItem(Func<TActor, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        _call = call;
        _cancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static s => ((CallWorkItem<TActor, TResult>)s!).OnCancelled(), this);
        }
    }

    /// <inheritdoc />
    public override WorkItemKind Kind => WorkItemKind.Call;

    /// <summary>The caller's task.</summary>
    public Task<TResult> Task => _completion.Task;

    /// <inheritdoc />
    public override async Task ExecuteAsync(object actor, CancellationToken runtimeToken)
    {
        try
        {
            var result = await _call((TActor)actor, _cancellationToken).ConfigureAwait(false);
            EndTurn();
            _completion.TrySetResult(result);
        }
        catch (OperationCanceledException ex) when (ex.CancellationToken == _cancellationToken && _cancellationToken.IsCancellationRequested)
        {
            EndTurn();
            _completion.TrySetCanceled(_cancellationToken);
        }
        catch (Exception ex)
        {
            EndTurn();
            _completion.TrySetException(ex);
        }
    }

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void OnStarted() => _registration.Unregister();

    private void OnCancelled()
    {
        if (TryCancel())
        {
            _completion.TrySetCanceled(_cancellationToken);
        }
    }
}
