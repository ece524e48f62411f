using System.Text.Json;
using MemoryFabric.Guard;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Guard;

/// <summary>
/// The grain (key: the tenant id) that holds a tenant's guard settings, its relation groups and
/// the trusted claims their agents share. Every change is durable before it is acknowledged.
/// </summary>
/// <remarks>
/// <para>Layout: the settings and groups are the grain's (small) persistent state <see cref="TypeName"/>, rewritten
/// whole when they change; each agent's shared claims are a record of their own in the
/// <see cref="IActorStateStore"/>, <c>(<see cref="ClaimsTypeName"/>, tenant/agent)</c>, a JSON array rewritten when
/// that agent publishes. So a publish writes the publishing agent's claims only, whatever the other agents
/// share.</para>
/// <para>Upgrade: state written before the claims moved to their own records holds them in
/// <see cref="TenantGuardState.Claims"/>. Activation moves them into per-agent records (an agent that already has a
/// record keeps it: it was written later) and then rewrites the state without them; a crash in between repeats the
/// move on the next activation.</para>
/// </remarks>
public sealed class TenantGuardGrain : Grain, ITenantGuardGrain
{
    /// <summary>The state name of a guard (and its record type in an <see cref="IActorStateStore"/>).</summary>
    public const string TypeName = "guard";

    /// <summary>The record type of one agent's shared claims in the <see cref="IActorStateStore"/> (key
    /// <c>tenant/agent</c>).</summary>
    public const string ClaimsTypeName = "guard-claims";

    /// <summary>The most claims one agent shares (the most-backed first); beyond, the rest are dropped.</summary>
    public const int MaxClaimsPerAgent = 20_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IPersistentState<TenantGuardState> _state;
    private readonly IActorStateStore _store;
    private bool _enabled = true;
    private SortedDictionary<string, SortedSet<string>> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ConsensusClaim>> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _claimVersions = new(StringComparer.Ordinal); // stored record versions

    /// <summary>Creates the grain.</summary>
    /// <param name="state">Its settings and groups, in the small-state grain storage.</param>
    /// <param name="store">Where the agents' shared claims live, one record per agent.</param>
    public TenantGuardGrain(
        [PersistentState(TypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<TenantGuardState> state,
        IActorStateStore store)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _store = store ?? throw new ArgumentNullException(nameof(store));
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = _state.State;
        _enabled = stored.Enabled;
        _groups = new SortedDictionary<string, SortedSet<string>>(
            stored.Groups.ToDictionary(g => g.Name, g => new SortedSet<string>(g.Members, StringComparer.Ordinal), StringComparer.Ordinal),
            StringComparer.Ordinal);

        // The per-agent records; an agent in no group (removed while its record could not be cleared) is ignored.
        var prefix = this.GetPrimaryKeyString() + "/";
        foreach (var key in await _store.ListKeysAsync(ClaimsTypeName, prefix, cancellationToken))
        {
            var agent = key[prefix.Length..];
            var record = await _store.LoadAsync(new ActorId(ClaimsTypeName, key), cancellationToken);
            if (record.Snapshot is { } bytes && GroupsOf(agent).Count > 0)
            {
                _claims[agent] = JsonSerializer.Deserialize<List<ConsensusClaim>>(bytes.Span, Json) ?? [];
                _claimVersions[agent] = record.SnapshotVersion;
            }
        }

        if (stored.Claims is { Count: > 0 } legacy)
        {
            await MoveLegacyClaimsAsync(legacy, cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task<TenantGuardSettings> GetSettingsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Settings());
    }

    /// <inheritdoc />
    public async Task<TenantGuardSettings> SetEnabledAsync(bool enabled, CancellationToken cancellationToken = default)
    {
        var was = _enabled;
        _enabled = enabled;
        await SaveOrRollbackAsync(() => _enabled = was, cancellationToken);
        return Settings();
    }

    /// <inheritdoc />
    public Task<AgentGuardPolicy> GetPolicyAsync(string agent, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new AgentGuardPolicy(_enabled, GroupsOf(agent)));
    }

    /// <inheritdoc />
    /// <exception cref="MemoryInputException">The group or agent name is invalid.</exception>
    public async Task<RelationGroup> AddMemberAsync(string group, string agent, CancellationToken cancellationToken = default)
    {
        Validate(group, agent);
        if (!_groups.TryGetValue(group, out var members))
        {
            members = new SortedSet<string>(StringComparer.Ordinal);
            _groups[group] = members;
        }

        if (members.Add(agent))
        {
            await SaveOrRollbackAsync(
                () =>
                {
                    members.Remove(agent);
                    if (members.Count == 0)
                    {
                        _groups.Remove(group);
                    }
                },
                cancellationToken);
        }

        return new RelationGroup(group, members.ToList());
    }

    /// <inheritdoc />
    public async Task<bool> RemoveMemberAsync(string group, string agent, CancellationToken cancellationToken = default)
    {
        if (group is null || agent is null || !_groups.TryGetValue(group, out var members) || !members.Remove(agent))
        {
            return false;
        }

        if (members.Count == 0)
        {
            _groups.Remove(group);
        }

        await SaveOrRollbackAsync(
            () =>
            {
                members.Add(agent);
                _groups[group] = members;
            },
            cancellationToken);

        // Out of every group: its claims leave too. Should the removal fail, activation ignores the stale record.
        if (GroupsOf(agent).Count == 0 && _claims.Remove(agent))
        {
            await ClearClaimsAsync(agent, cancellationToken);
        }

        return true;
    }

    /// <inheritdoc />
    public async Task<bool> PublishClaimsAsync(string agent, IReadOnlyList<ConsensusClaim> claims, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (GroupsOf(agent).Count == 0)
        {
            return false;
        }

        var kept = claims.OrderByDescending(c => c.Sources).ThenBy(c => c.Subject, StringComparer.Ordinal).Take(MaxClaimsPerAgent)
            .Select(c => c with { Agent = null }).ToList();
        var previous = _claims.GetValueOrDefault(agent);
        if (previous is not null && previous.SequenceEqual(kept))
        {
            return true;
        }

        if (kept.Count == 0)
        {
            if (previous is not null)
            {
                await ClearClaimsAsync(agent, cancellationToken);
                _claims.Remove(agent);
            }

            return true;
        }

        // Only this agent's record is written; memory changes once it is durable.
        await WriteClaimsAsync(agent, kept, cancellationToken);
        _claims[agent] = kept;
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConsensusClaim>> GetPeerClaimsAsync(string agent, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        cancellationToken.ThrowIfCancellationRequested();
        var wanted = new HashSet<string>(subjects.Select(s => s.Trim()), StringComparer.OrdinalIgnoreCase);
        var peers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var members in _groups.Values)
        {
            if (members.Contains(agent))
            {
                peers.UnionWith(members);
            }
        }

        peers.Remove(agent);
        var result = new List<ConsensusClaim>();
        foreach (var peer in peers)
        {
            if (_claims.TryGetValue(peer, out var claims))
            {
                result.AddRange(claims.Where(c => wanted.Contains(c.Subject.Trim())).Select(c => c with { Agent = peer }));
            }
        }

        return Task.FromResult<IReadOnlyList<ConsensusClaim>>(result);
    }

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        // Every claims record under the tenant, those activation ignored (an agent no longer in a group) included.
        var prefix = this.GetPrimaryKeyString() + "/";
        foreach (var key in await _store.ListKeysAsync(ClaimsTypeName, prefix, cancellationToken))
        {
            await _store.ClearAsync(new ActorId(ClaimsTypeName, key), cancellationToken);
        }

        await _state.ClearStateAsync(cancellationToken);
        _enabled = true;
        _groups.Clear();
        _claims.Clear();
        _claimVersions.Clear();
        DeactivateOnIdle();
    }

    private List<string> GroupsOf(string agent) =>
        _groups.Where(g => g.Value.Contains(agent)).Select(g => g.Key).ToList();

    private TenantGuardSettings Settings() =>
        new(_enabled, _groups.Select(g => new RelationGroup(g.Key, g.Value.ToList())).ToList());

    private static void Validate(string group, string agent)
    {
        if (!AgentNames.IsValid(group))
        {
            throw new MemoryInputException($"A relation group name is {AgentNames.Rule}.", nameof(group));
        }

        if (!AgentNames.IsValid(agent))
        {
            throw new MemoryInputException($"An agent name is {AgentNames.Rule}.", nameof(agent));
        }
    }

    // The settings and groups only: the claims are in their per-agent records.
    private async Task SaveOrRollbackAsync(Action rollback, CancellationToken cancellationToken)
    {
        var state = new TenantGuardState
        {
            Enabled = _enabled,
            Groups = _groups.Select(g => new RelationGroup(g.Key, g.Value.ToList())).ToList(),
        };
        await _state.WriteOrRollbackAsync(state, rollback, cancellationToken);
    }

    private ActorId ClaimsId(string agent) => new(ClaimsTypeName, this.GetPrimaryKeyString() + "/" + agent);

    private async Task WriteClaimsAsync(string agent, List<ConsensusClaim> claims, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(claims, Json);
        _claimVersions[agent] = await _store.WriteSnapshotAsync(ClaimsId(agent), bytes, 0, _claimVersions.GetValueOrDefault(agent), cancellationToken);
    }

    private async Task ClearClaimsAsync(string agent, CancellationToken cancellationToken)
    {
        await _store.ClearAsync(ClaimsId(agent), cancellationToken);
        _claimVersions.Remove(agent);
    }

    // The upgrade from the layout that kept every agent's claims in the state: each agent without a record of its own
    // gets one, then the state is rewritten without the claims.
    private async Task MoveLegacyClaimsAsync(Dictionary<string, List<ConsensusClaim>> legacy, CancellationToken cancellationToken)
    {
        foreach (var (agent, claims) in legacy.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!_claims.ContainsKey(agent) && claims is { Count: > 0 } && AgentNames.IsValid(agent) && GroupsOf(agent).Count > 0)
            {
                await WriteClaimsAsync(agent, claims, cancellationToken);
                _claims[agent] = claims;
            }
        }

        await SaveOrRollbackAsync(() => { }, cancellationToken);
    }
}

/// <summary>The stored state of a tenant's guard.</summary>
public sealed class TenantGuardState
{
    /// <summary>Whether the guard is on for the tenant's agents.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The relation groups.</summary>
    public List<RelationGroup> Groups { get; set; } = [];

    /// <summary>The trusted claims each member shared, by agent, as state written before the claims moved to per-agent
    /// records (<see cref="TenantGuardGrain.ClaimsTypeName"/>) held them: read for the upgrade, never written
    /// (<see langword="null"/> or empty in the current layout).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, List<ConsensusClaim>>? Claims { get; set; }
}
