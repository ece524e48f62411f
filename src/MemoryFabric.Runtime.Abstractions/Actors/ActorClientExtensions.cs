namespace MemoryFabric.Runtime;

/// <summary>Conveniences over <see cref="IActorClient"/>.</summary>
public static class ActorClientExtensions
{
    /// <summary>Runs <paramref name="call"/>, which returns no result, as one turn of the actor
    /// <typeparamref name="TActor"/> with key <paramref name="key"/>.</summary>
    /// <typeparam name="TActor">The actor class, registered with the runtime under a type name.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="key">The actor key.</param>
    /// <param name="call">The call; it must not keep a reference to the actor past its task.</param>
    /// <param name="cancellationToken">Cancels waiting for the turn and is passed to the call.</param>
    /// <returns>A task that completes when the call has.</returns>
    public static Task InvokeAsync<TActor>(this IActorClient client, string key, Func<TActor, CancellationToken, Task> call, CancellationToken cancellationToken = default)
        where TActor : class
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(call);
        return client.InvokeAsync<TActor, bool>(
            key,
            async (actor, ct) =>
            {
                await call(actor, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }
}
