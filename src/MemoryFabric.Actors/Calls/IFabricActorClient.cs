namespace MemoryFabric.Actors;

/// <summary>
/// Calls the fabric's actors through the interfaces they answer, whoever hosts them: the local runtime
/// (<see cref="RuntimeFabricActorClient"/>) or an Orleans cluster (grain references). The server's endpoints and the
/// actors' own calls to each other go through it.
/// </summary>
/// <remarks>The call receives the actor (locally, in one of its turns) or a reference to it (a grain): keep to one
/// call on it and plain records in and out, so both hosts behave the same.</remarks>
public interface IFabricActorClient
{
    /// <summary>Calls an agent's memory actor.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The actor key, <c>tenant/agent</c>.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The call's result.</returns>
    Task<T> CallAgentAsync<T>(string key, Func<IAgentMemoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default);

    /// <summary>Calls the tenant directory.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The call's result.</returns>
    Task<T> CallTenantDirectoryAsync<T>(Func<ITenantDirectoryActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default);

    /// <summary>Calls a tenant's guard actor.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The call's result.</returns>
    Task<T> CallTenantGuardAsync<T>(string tenant, Func<ITenantGuardActor, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default);
}
