namespace MemoryFabric.Orleans.Storage;

/// <summary>Writes the whole state of a small grain (the tenant directory, a tenant guard) through Orleans'
/// <see cref="IPersistentState{TState}"/>, keeping memory and storage in step when the write fails.</summary>
internal static class PersistentStateExtensions
{
    /// <summary>Replaces the state and writes it (ETag checked by the provider); on failure runs
    /// <paramref name="rollback"/>, restores the previous state object and rethrows, so that nothing unacknowledged
    /// stays visible.</summary>
    /// <typeparam name="T">The state type.</typeparam>
    /// <param name="state">The grain's persistent state.</param>
    /// <param name="value">The whole new state.</param>
    /// <param name="rollback">Undoes the grain's in-memory change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the state is durable.</returns>
    public static async Task WriteOrRollbackAsync<T>(this IPersistentState<T> state, T value, Action rollback, CancellationToken cancellationToken)
    {
        var previous = state.State;
        state.State = value;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            state.State = previous;
            rollback();
            throw;
        }
    }
}
