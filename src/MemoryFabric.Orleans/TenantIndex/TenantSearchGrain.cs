using MemoryFabric.Api;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Concurrency;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>A tenant-wide search (key: the tenant): the query embedded in the silo with its embedder, the agents with
/// pending outbox changes flushed first, the tenant's shards searched in parallel and merged, the hits described by
/// their agents.</summary>
[Alias("memoryfabric.tenantsearch")]
public interface ITenantSearchGrain : IGrainWithStringKey
{
    /// <summary>Searches the tenant's vector index.</summary>
    /// <param name="request">The query and filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hits, best first, each naming its agent.</returns>
    /// <exception cref="MemoryInputException">The request is invalid (see <see cref="TenantSearchRequests.Validate"/>)
    /// or names a relation group the tenant does not have.</exception>
    [Alias("search")]
    Task<TenantSearchResponse> SearchAsync(TenantSearchRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The <see cref="ITenantSearchGrain"/>, a stateless worker (any silo, several at once). It only calls other
/// grains (the tenant index, agents, shards), none of which calls it, so there is no call cycle.</summary>
/// <remarks>
/// <para>Read-after-write: an agent marks itself pending in the tenant index before it acknowledges a write, so the
/// agents pending when the search starts include every agent with an acknowledged write the shards may lack; they are
/// flushed (their waiting items embedded, their changes shipped and acknowledged) before the shards are searched.</para>
/// <para>Texts are not stored in the shards: each hit is described by its agent, so a forgotten or deleted item is never
/// shown even while a shard still holds its vector, and no text outlives a forget.</para>
/// </remarks>
[StatelessWorker]
public sealed class TenantSearchGrain : Grain, ITenantSearchGrain
{
    private const int MaxCandidates = 1000;

    private readonly ILogger _logger;

    /// <summary>Creates the grain.</summary>
    /// <param name="logger">A logger.</param>
    public TenantSearchGrain(ILogger<TenantSearchGrain>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <inheritdoc />
    public async Task<TenantSearchResponse> SearchAsync(TenantSearchRequest request, CancellationToken cancellationToken = default)
    {
        TenantSearchRequests.Validate(request);
        if (!(ServiceProvider.GetService<TenantIndexOptions>() ?? new TenantIndexOptions()).Enabled)
        {
            throw new TenantIndexDisabledException();
        }

        var tenant = this.GetPrimaryKeyString();
        var agents = await ResolveAgentsAsync(tenant, request, cancellationToken);
        if (agents is { Count: 0 })
        {
            return new TenantSearchResponse([]);
        }

        var embedder = ServiceProvider.GetService<TenantSearchEmbedder>()?.Generator
            ?? ServiceProvider.GetService<IEmbeddingGenerator<string, Embedding<float>>>()
            ?? throw new InvalidOperationException("Tenant-wide search needs the agents' embedder: register a TenantSearchEmbedder or an IEmbeddingGenerator<string, Embedding<float>> in the silo's services.");
        var index = GrainFactory.GetGrain<ITenantIndexGrain>(tenant);
        var table = index.GetTableAsync(cancellationToken);
        var query = embedder.GenerateAsync([request.Query], EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions()), cancellationToken);
        var flushed = FlushPendingAsync(tenant, index, agents, cancellationToken);
        await Task.WhenAll(table, query, flushed);

        var vector = (await query)[0].Vector.ToArray();
        var filter = new VectorShardFilter(
            agents?.ToList(),
            request.Kinds is { Count: > 0 } kinds ? [.. kinds.Distinct().Select(ShardTable.KindName)] : null,
            request.From,
            request.To);
        var k = Math.Min(MaxCandidates, (request.Limit * 2) + 10); // room for hits the agents no longer describe
        var merged = await TenantShardSearch.SearchAsync(GrainFactory, await table, vector, k, filter, cancellationToken: cancellationToken);
        return new TenantSearchResponse(await DescribeAsync(tenant, merged, request.Limit, cancellationToken));
    }

    // The agents to search: those named, plus the group's members; null for all of the tenant's agents.
    private async Task<HashSet<string>?> ResolveAgentsAsync(string tenant, TenantSearchRequest request, CancellationToken cancellationToken)
    {
        if (request.Agents is null && request.Group is null)
        {
            return null;
        }

        var agents = new HashSet<string>(request.Agents ?? [], StringComparer.Ordinal);
        if (request.Group is { } name)
        {
            var settings = await GrainFactory.GetGrain<ITenantGuardGrain>(tenant).GetSettingsAsync(cancellationToken);
            var group = settings.Groups.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.Ordinal))
                ?? throw new MemoryInputException($"The tenant has no relation group '{name}'.");
            agents.UnionWith(group.Members);
        }

        return agents;
    }

    // Read-after-write: the agents (of those searched) with changes the shards have not acknowledged ship them now. An
    // agent that cannot be flushed is searched with what its shards hold (logged).
    private async Task FlushPendingAsync(string tenant, ITenantIndexGrain index, HashSet<string>? agents, CancellationToken cancellationToken)
    {
        var pending = (await index.GetPendingAgentsAsync(cancellationToken)).Where(a => agents is null || agents.Contains(a)).ToList();
        await Task.WhenAll(pending.Select(async agent =>
        {
            try
            {
                await GrainFactory.GetGrain<IAgentVectorOutboxGrain>(tenant + "/" + agent).FlushVectorOutboxAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Agent {Tenant}/{Agent} could not flush its vector outbox before a tenant-wide search", tenant, agent);
            }
        }));
    }

    // Each agent describes its hits (one call per agent, in parallel); what it no longer has is left out.
    private async Task<List<TenantSearchHit>> DescribeAsync(string tenant, List<VectorShardHit> merged, int limit, CancellationToken cancellationToken)
    {
        var byAgent = merged
            .Select(h => (Hit: h, Parsed: ShardTable.TryParseItemKey(h.Key, out var parsed) ? parsed : default))
            .Where(h => h.Parsed.Agent is not null)
            .GroupBy(h => h.Parsed.Agent, StringComparer.Ordinal)
            .ToList();
        var described = await Task.WhenAll(byAgent.Select(async group =>
        {
            var keys = group.Select(g => g.Hit.Key).ToList();
            var scores = group.Select(g => (double)g.Hit.Score).ToList();
            var items = await GrainFactory.GetGrain<IAgentVectorOutboxGrain>(tenant + "/" + group.Key).DescribeItemsAsync(keys, scores, cancellationToken);
            return items.Select(i => (Key: ShardTable.ItemKey(group.Key, i.Kind, i.Id), Agent: group.Key, Item: i));
        }));
        var found = described.SelectMany(d => d).ToDictionary(d => d.Key, StringComparer.Ordinal);
        var hits = new List<TenantSearchHit>(limit);
        foreach (var hit in merged)
        {
            if (found.TryGetValue(hit.Key, out var item))
            {
                hits.Add(new TenantSearchHit(item.Agent, item.Item, null, hits.Count + 1));
                if (hits.Count == limit)
                {
                    break;
                }
            }
        }

        return hits;
    }
}

/// <summary>The checks of a <see cref="TenantSearchRequest"/>, the same in the server, the grain and the Orleans
/// client SDK.</summary>
public static class TenantSearchRequests
{
    /// <summary>Checks a request.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="MemoryInputException">It is invalid; the message says why.</exception>
    public static void Validate(TenantSearchRequest? request)
    {
        if (request is null)
        {
            throw new MemoryInputException("The request body is missing.");
        }

        if (string.IsNullOrWhiteSpace(request.Query))
        {
            throw new MemoryInputException("'query' must not be blank.");
        }

        if (request.Limit is < 1 or > TenantSearchRequest.MaxLimit)
        {
            throw new MemoryInputException($"'limit' must be 1 to {TenantSearchRequest.MaxLimit} (it is {request.Limit}).");
        }

        if (request.Agents is { } agents)
        {
            if (agents.Count > TenantSearchRequest.MaxAgents)
            {
                throw new MemoryInputException($"'agents' names at most {TenantSearchRequest.MaxAgents} agents (it names {agents.Count}).");
            }

            if (agents.Any(a => !AgentNames.IsValid(a)))
            {
                throw new MemoryInputException($"'agents': every agent name is {AgentNames.Rule}.");
            }
        }

        if (request.Group is { } group && !AgentNames.IsValid(group))
        {
            throw new MemoryInputException($"'group': a relation group name is {AgentNames.Rule}.");
        }

        if (request.Kinds is { } kinds && kinds.Any(k => !Enum.IsDefined(k)))
        {
            throw new MemoryInputException("'kinds' holds only note, episode and turn.");
        }

        if (request.From is { } from && request.To is { } to && from >= to)
        {
            throw new MemoryInputException("'from' must be before 'to'.");
        }
    }
}

/// <summary>The embedder a tenant-wide search embeds its query with (the one the agents' memories use, so the query
/// and the shards' vectors share a space), for a host whose embedder is chosen at start; it does not own it.</summary>
/// <param name="generator">Gets the embedder (called at each search).</param>
public sealed class TenantSearchEmbedder(Func<IEmbeddingGenerator<string, Embedding<float>>> generator)
{
    private readonly Func<IEmbeddingGenerator<string, Embedding<float>>> _generator = generator ?? throw new ArgumentNullException(nameof(generator));

    /// <summary>The embedder.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator => _generator();
}
