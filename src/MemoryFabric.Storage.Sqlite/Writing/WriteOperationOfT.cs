namespace MemoryFabric.Storage.Sqlite.Writing;

/// <summary>A <see cref="WriteOperation"/> with a result.</summary>
/// <typeparam name="T">The result.</typeparam>
internal abstract class WriteOperation<T> : WriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the operation.</summary>
    /// <param name="cancellationToken">The caller's token.</param>
    protected WriteOperation(CancellationToken cancellationToken)
        : base(cancellationToken)
    {
    }

    /// <summary>The caller's task.</summary>
    public Task<T> Task => _completion.Task;

    /// <summary>The result, set by <see cref="WriteOperation.Execute"/>.</summary>
    protected T Result { get; set; } = default!;

    /// <inheritdoc />
    public override void Complete() => _completion.TrySetResult(Result);

    /// <inheritdoc />
    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <inheritdoc />
    protected override void SetCancelled() => _completion.TrySetCanceled(CancellationToken);
}
