using MemoryFabric.Api;

namespace MemoryFabric.Orleans.Agents.Catalog;

/// <summary>Lists a tenant's agents (key: the tenant id) from the durable store, a page at a time, ordered by name,
/// each with the figures of its card (<see cref="AgentCard"/>). A stateless worker: it runs on the silo that asks,
/// activates no agent that has a card, and can only list the agents of the tenant it is keyed by.</summary>
[Alias("memoryfabric.agent-list")]
public interface IAgentListGrain : IGrainWithStringKey
{
    /// <summary>Lists one page of the tenant's agents.</summary>
    /// <param name="cursor">The previous page's <see cref="AgentPage.NextCursor"/>, or <see langword="null"/> for the
    /// first page.</param>
    /// <param name="limit">The page size (1 to <see cref="AgentListQuery.MaxLimit"/>), or <see langword="null"/> for
    /// <see cref="AgentListQuery.DefaultLimit"/>.</param>
    /// <param name="prefix">Only agents whose name starts with this, or all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, and the cursor of the next one (<see langword="null"/> on the last page).</returns>
    /// <exception cref="MemoryInputException">The limit, the cursor or the prefix is invalid.</exception>
    [Alias("list")]
    Task<AgentPage> ListAsync(string? cursor, int? limit, string? prefix, CancellationToken cancellationToken = default);
}
