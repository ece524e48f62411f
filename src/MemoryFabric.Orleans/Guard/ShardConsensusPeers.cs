using MemoryFabric.Embeddings;
using MemoryFabric.Guard;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Orleans.Guard;

/// <summary>
/// An agent's relation-group peers asked through the tenant's vector shards instead of the claims they publish to the
/// tenant's guard grain (<see cref="TenantIndexOptions.ConsensusThroughShards"/>): each subject is embedded with the
/// silo's embedder (the one a tenant-wide search uses), the shards are searched for the notes of the agent's group peers
/// (<see cref="VectorShardFilter"/> on the peers and the note kind, <see cref="TenantIndexOptions.ConsensusCandidates"/>
/// hits per subject), and each agent that owns hits says which of its trusted claims about the subjects those notes
/// back (<see cref="IAgentTrustedClaimsGrain"/>). The subjects are compared as
/// <see cref="ITenantGuardGrain.GetPeerClaimsAsync"/> compares them, so a claim found either way is the same claim.
/// </summary>
/// <remarks>
/// <para>Read-after-write: the peers the tenant index lists as pending (changes the shards have not acknowledged) are
/// not flushed, as a tenant-wide search flushes them: this runs on the asking agent's turn, and a peer flushing on its
/// own turn while it asks this agent the same would wait for it (a call cycle between two non-reentrant grains). A
/// pending peer is asked directly instead for every trusted claim it has about the subjects (the interleaved call above,
/// which waits for nothing), so what it wrote is seen at once.</para>
/// <para>Differences from the guard grain's copy: the group's members are those of the agent's current guard policy
/// (re-read with it, <see cref="AgentMemoryGrainOptions.GuardPolicyRefresh"/>); a peer's claims are read live (not as
/// last published); a trusted claim is found only when the search finds one of the notes that back it (approximate: the
/// shards' HNSW search, the query being the subject's embedding); the peers that own hits are activated if idle.</para>
/// </remarks>
public sealed class ShardConsensusPeers : IConsensusPeers
{
    private readonly IGrainFactory _grains;
    private readonly IServiceProvider _services;
    private readonly string _tenant;
    private readonly string _agent;
    private readonly Func<AgentGuardPolicy?> _policy;
    private readonly ILogger _logger;
    private (AgentGuardPolicy Policy, List<string> Peers)? _peers;

    /// <summary>Creates the source for one agent.</summary>
    /// <param name="grains">Reaches the tenant's index, shards, guard and agents.</param>
    /// <param name="services">The silo's services: the <see cref="TenantIndexOptions"/> and the embedder
    /// (<see cref="TenantSearchEmbedder"/>, otherwise an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>).</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="agent">The asking agent (never one of its own peers).</param>
    /// <param name="policy">The agent's current guard policy (its groups); the members are re-read from the tenant's
    /// guard when it returns another policy.</param>
    /// <param name="logger">Logs the peers that could not answer; none when <see langword="null"/>.</param>
    public ShardConsensusPeers(IGrainFactory grains, IServiceProvider services, string tenant, string agent, Func<AgentGuardPolicy?> policy, ILogger? logger = null)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _tenant = tenant ?? throw new ArgumentNullException(nameof(tenant));
        _agent = agent ?? throw new ArgumentNullException(nameof(agent));
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The silo has no embedder.</exception>
    public async Task<IReadOnlyList<ConsensusClaim>> GetClaimsAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default) =>
        (await LookUpAsync(subjects, cancellationToken)).Claims;

    /// <summary>Looks the subjects up and says what it took.</summary>
    /// <param name="subjects">The subjects (compared case-insensitively, trimmed).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The claims, each naming its agent, and the work done.</returns>
    /// <exception cref="InvalidOperationException">The silo has no embedder.</exception>
    public async Task<ShardConsensusLookup> LookUpAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var wanted = subjects.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var peers = wanted.Count == 0 ? [] : await PeersAsync(cancellationToken);
        if (peers.Count == 0)
        {
            return new ShardConsensusLookup([], 0, 0, 0);
        }

        var options = _services.GetService<TenantIndexOptions>() ?? new TenantIndexOptions();
        var embedder = _services.GetService<TenantSearchEmbedder>()?.Generator
            ?? _services.GetService<IEmbeddingGenerator<string, Embedding<float>>>()
            ?? throw new InvalidOperationException("Consensus through the tenant's shards needs the agents' embedder: register a TenantSearchEmbedder or an IEmbeddingGenerator<string, Embedding<float>> in the silo's services.");
        var index = _grains.GetGrain<ITenantIndexGrain>(_tenant);
        var table = index.GetTableAsync(cancellationToken);
        var pending = index.GetPendingAgentsAsync(cancellationToken);
        var vectors = embedder.GenerateAsync(wanted, EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions()), cancellationToken);
        await Task.WhenAll(table, pending, vectors);

        var pendingPeers = new HashSet<string>(await pending, StringComparer.Ordinal);
        var direct = peers.Where(pendingPeers.Contains).ToList();
        var searched = peers.Where(p => !pendingPeers.Contains(p)).ToList();
        var keys = new SortedDictionary<string, List<string>>(StringComparer.Ordinal); // agent → its notes found
        var hits = 0;
        if (searched.Count > 0)
        {
            var filter = new VectorShardFilter(searched, [ShardTable.KindName(MemoryItemKind.Note)]);
            var k = Math.Clamp(options.ConsensusCandidates, 1, TenantIndexOptions.MaxConsensusCandidates);
            var shardTable = await table;
            var found = await Task.WhenAll((await vectors).Select(v =>
                TenantShardSearch.SearchAsync(_grains, shardTable, v.Vector.ToArray(), k, filter, cancellationToken: cancellationToken)));
            foreach (var hit in found.SelectMany(h => h).DistinctBy(h => h.Key, StringComparer.Ordinal))
            {
                if (ShardTable.TryParseItemKey(hit.Key, out var item) && item.Kind == MemoryItemKind.Note && item.Agent != _agent)
                {
                    hits++;
                    if (!keys.TryGetValue(item.Agent, out var list))
                    {
                        list = [];
                        keys[item.Agent] = list;
                    }

                    list.Add(hit.Key);
                }
            }
        }

        var answers = await Task.WhenAll(
            keys.Select(a => AskAsync(a.Key, a.Value, wanted, cancellationToken))
                .Concat(direct.Select(a => AskAsync(a, null, wanted, cancellationToken))));
        return new ShardConsensusLookup([.. answers.SelectMany(a => a)], hits, keys.Count, direct.Count);
    }

    // One peer's claims; a peer that cannot answer contributes nothing (logged), as a missing guard view does.
    private async Task<IReadOnlyList<ConsensusClaim>> AskAsync(string peer, List<string>? itemKeys, List<string> subjects, CancellationToken cancellationToken)
    {
        try
        {
            return await _grains.GetGrain<IAgentTrustedClaimsGrain>(_tenant + "/" + peer).GetTrustedClaimsAsync(itemKeys, subjects, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Agent {Tenant}/{Peer} could not say which trusted claims its notes back for the consensus of {Agent}", _tenant, peer, _agent);
            return [];
        }
    }

    // The other members of the agent's groups, read from the tenant's guard once per policy the agent holds.
    private async Task<List<string>> PeersAsync(CancellationToken cancellationToken)
    {
        if (_policy() is not { Groups.Count: > 0 } policy)
        {
            return [];
        }

        if (_peers is { } cached && ReferenceEquals(cached.Policy, policy))
        {
            return cached.Peers;
        }

        var settings = await _grains.GetGrain<ITenantGuardGrain>(_tenant).GetSettingsAsync(cancellationToken);
        var groups = new HashSet<string>(policy.Groups, StringComparer.Ordinal);
        var peers = settings.Groups.Where(g => groups.Contains(g.Name)).SelectMany(g => g.Members)
            .Where(m => !string.Equals(m, _agent, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        _peers = (policy, peers);
        return peers;
    }
}

/// <summary>What one consensus lookup through the shards found and cost.</summary>
/// <param name="Claims">The peers' trusted claims about the subjects, each naming its agent.</param>
/// <param name="Hits">The peers' notes the shards returned (all subjects together, each once).</param>
/// <param name="AgentsDescribing">The peers asked which claims their hits back (one call each).</param>
/// <param name="AgentsAskedDirectly">The pending peers asked for all their claims about the subjects instead.</param>
public sealed record ShardConsensusLookup(IReadOnlyList<ConsensusClaim> Claims, int Hits, int AgentsDescribing, int AgentsAskedDirectly);
