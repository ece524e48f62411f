using System.Globalization;
using MemoryFabric.Api;
using MemoryFabric.Client.Http;
using MemoryFabric.Conversation;

namespace MemoryFabric.Client;

// The timeline's reads: turns, episodes and sessions a page at a time, one turn, and activity over time.
public sealed partial class MemoryFabricClient
{
    /// <inheritdoc />
    public async Task<TurnList> GetTurnPageAsync(string agent, string? sessionId = null, string? episodeId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "turns") + QueryString(("session", sessionId), ("episode", episodeId), ("cursor", cursor), ("limit", Number(limit)));
        var body = await GetJsonAsync<TurnList>(path, cancellationToken).ConfigureAwait(false);
        return body with { Turns = body.Turns ?? [] };
    }

    /// <inheritdoc />
    public Task<Turn?> GetTurnAsync(string agent, string turnId, CancellationToken cancellationToken = default) =>
        GetJsonOrNullAsync<Turn>(ApiPaths.Agent(agent, "turns/" + ApiPaths.Segment(turnId, nameof(turnId))), cancellationToken);

    /// <inheritdoc />
    public async Task<EpisodeList> GetEpisodesAsync(string agent, string? sessionId = null, string? turnId = null, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "episodes") + QueryString(("session", sessionId), ("turn", turnId), ("cursor", cursor), ("limit", Number(limit)));
        var body = await GetJsonAsync<EpisodeList>(path, cancellationToken).ConfigureAwait(false);
        return body with { Episodes = body.Episodes ?? [] };
    }

    /// <inheritdoc />
    public async Task<SessionList> GetSessionsAsync(string agent, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "sessions") + QueryString(("cursor", cursor), ("limit", Number(limit)));
        var body = await GetJsonAsync<SessionList>(path, cancellationToken).ConfigureAwait(false);
        return body with { Sessions = body.Sessions ?? [] };
    }

    /// <inheritdoc />
    public async Task<AgentActivity> GetActivityAsync(string agent, int? buckets = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Agent(agent, "activity") + QueryString(("buckets", Number(buckets)));
        var body = await GetJsonAsync<AgentActivity>(path, cancellationToken).ConfigureAwait(false);
        return body with { Buckets = body.Buckets ?? [] };
    }

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => ApiPaths.Query(p.Name, p.Value!)).ToList();
        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}
