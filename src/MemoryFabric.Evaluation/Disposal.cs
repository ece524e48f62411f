namespace MemoryFabric.Evaluation;

/// <summary>Disposes an object that may be <see cref="IAsyncDisposable"/>, <see cref="IDisposable"/> or neither.</summary>
internal static class Disposal
{
    /// <summary>Disposes <paramref name="value"/> asynchronously when it can, synchronously otherwise.</summary>
    /// <param name="value">The object, possibly null.</param>
    /// <returns>A task that completes when it is disposed.</returns>
    public static async ValueTask DisposeAsync(object? value)
    {
        switch (value)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
