using MemoryFabric.Api;
using MemoryFabric.Conversation;

namespace MemoryFabric.Client.Orleans;

// The timeline's reads, straight to the agent's grain (which pages, so only a page crosses silos). Bad limits and
// cursors are the grain's MemoryInputException, reported as the HTTP API's 400.
public sealed partial class OrleansMemoryFabricClient
{
    /// <inheritdoc />
    public async Task<TurnList> GetTurnPageAsync(string agent, string? sessionId = null, string? episodeId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        return await IdempotentCallAsync(agent, (g, ct) => g.GetTurnPageAsync(sessionId, episodeId, cursor, limit, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Turn?> GetTurnAsync(string agent, string turnId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(turnId);
        try
        {
            return await IdempotentCallAsync(agent, (g, ct) => g.GetTurnAsync(turnId, ct), cancellationToken);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<EpisodeList> GetEpisodesAsync(string agent, string? sessionId = null, string? turnId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        return await IdempotentCallAsync(agent, (g, ct) => g.GetEpisodePageAsync(sessionId, turnId, cursor, limit, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SessionList> GetSessionsAsync(string agent, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        return await IdempotentCallAsync(agent, (g, ct) => g.GetSessionPageAsync(cursor, limit, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<AgentActivity> GetActivityAsync(string agent, int? buckets = null, CancellationToken cancellationToken = default)
    {
        return await IdempotentCallAsync(agent, (g, ct) => g.GetActivityAsync(buckets ?? TimelinePaging.DefaultBuckets, ct), cancellationToken);
    }
}
