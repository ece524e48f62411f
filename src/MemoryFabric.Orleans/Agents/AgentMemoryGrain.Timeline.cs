using MemoryFabric.Api;
using MemoryFabric.Conversation;

namespace MemoryFabric.Orleans.Agents;

// The timeline's reads, paged inside the grain so that only a page crosses silos.
public sealed partial class AgentMemoryGrain
{
    /// <inheritdoc />
    public Task<TurnList> GetTurnPageAsync(string? sessionId, string? episodeId, string? cursor, int? limit, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetTurnPage(sessionId, episodeId, cursor, limit));
    }

    /// <inheritdoc />
    public Task<Turn?> GetTurnAsync(string turnId, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetTurn(turnId));
    }

    /// <inheritdoc />
    public Task<EpisodeList> GetEpisodePageAsync(string? sessionId, string? turnId, string? cursor, int? limit, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetEpisodePage(sessionId, turnId, cursor, limit));
    }

    /// <inheritdoc />
    public Task<SessionList> GetSessionPageAsync(string? cursor, int? limit, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetSessionPage(cursor, limit));
    }

    /// <inheritdoc />
    public Task<AgentActivity> GetActivityAsync(int buckets, CancellationToken cancellationToken = default)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_memory.GetActivity(buckets));
    }
}
