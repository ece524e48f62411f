namespace MemoryFabric.Runtime;

/// <summary>Calls actors by type and key. Calls to one actor run one at a time, in order; calls to different actors
/// run in parallel. An actor is activated on its first call.</summary>
public interface IActorClient
{
    /// <summary>Runs <paramref name="call"/> as one turn of the actor <typeparamref name="TActor"/> with key
    /// <paramref name="key"/>.</summary>
    /// <typeparam name="TActor">The actor class, registered with the runtime under a type name.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="key">The actor key.</param>
    /// <param name="call">The call; it must not keep a reference to the actor past its task.</param>
    /// <param name="cancellationToken">Cancels waiting for the turn and is passed to the call.</param>
    /// <returns>The call's result.</returns>
    Task<TResult> InvokeAsync<TActor, TResult>(string key, Func<TActor, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken = default)
        where TActor : class;
}
