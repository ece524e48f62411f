using MemoryFabric.Guard;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Guard;

/// <summary>
/// The grain (key: the tenant id) that holds a tenant's guard settings, its relation groups and
/// the trusted claims their agents share. Every change is written as the whole (small) state before it is acknowledged.
/// </summary>
public sealed class TenantGuardGrain : Grain, ITenantGuardGrain
{
    /// <summary>The state name of a guard (and its record type in an <see cref="IActorStateStore"/>).</summary>
    public const string TypeName = "guard";

    /// <summary>The most claims one agent shares (the most-backed first); beyond, the rest are dropped.</summary>
    public const int MaxClaimsPerAgent = 20_000;

    private readonly IPersistentState<TenantGuardState> _state;
    private bool _enabled = true;
    private SortedDictionary<string, SortedSet<string>> _groups = new(StringComparer.Ordinal);
    private Dictionary<string, List<ConsensusClaim>> _claims = new(StringComparer.Ordinal);

    /// <summary>Creates the grain.</summary>
    /// <param name="state">Its state, in the small-state grain storage.</param>
    public TenantGuardGrain([PersistentState(TypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<TenantGuardState> state)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = _state.State;
        _enabled = stored.Enabled;
        _groups = new SortedDictionary<string, SortedSet<string>>(
            stored.Groups.ToDictionary(g => g.Name, g => new SortedSet<string>(g.Members, StringComparer.Ordinal), StringComparer.Ordinal),
            StringComparer.Ordinal);
        _claims = stored.Claims.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return Task.CompletedTask;
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
    /// <exception cref="ArgumentException">The group or agent name is invalid.</exception>
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

        var claims = GroupsOf(agent).Count == 0 && _claims.Remove(agent, out var dropped) ? dropped : null;
        await SaveOrRollbackAsync(
            () =>
            {
                members.Add(agent);
                _groups[group] = members;
                if (claims is not null)
                {
                    _claims[agent] = claims;
                }
            },
            cancellationToken);
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

        _claims[agent] = kept;
        await SaveOrRollbackAsync(
            () =>
            {
                if (previous is null)
                {
                    _claims.Remove(agent);
                }
                else
                {
                    _claims[agent] = previous;
                }
            },
            cancellationToken);
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

    private List<string> GroupsOf(string agent) =>
        _groups.Where(g => g.Value.Contains(agent)).Select(g => g.Key).ToList();

    private TenantGuardSettings Settings() =>
        new(_enabled, _groups.Select(g => new RelationGroup(g.Key, g.Value.ToList())).ToList());

    private static void Validate(string group, string agent)
    {
        if (!AgentNames.IsValid(group))
        {
            throw new ArgumentException($"A relation group name is {AgentNames.Rule}.", nameof(group));
        }

        if (!AgentNames.IsValid(agent))
        {
            throw new ArgumentException($"An agent name is {AgentNames.Rule}.", nameof(agent));
        }
    }

    private async Task SaveOrRollbackAsync(Action rollback, CancellationToken cancellationToken)
    {
        var state = new TenantGuardState
        {
            Enabled = _enabled,
            Groups = _groups.Select(g => new RelationGroup(g.Key, g.Value.ToList())).ToList(),
            Claims = _claims.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
        };
        await _state.WriteOrRollbackAsync(state, rollback, cancellationToken);
    }
}

/// <summary>The stored state of a tenant's guard.</summary>
public sealed class TenantGuardState
{
    /// <summary>Whether the guard is on for the tenant's agents.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The relation groups.</summary>
    public List<RelationGroup> Groups { get; set; } = [];

    /// <summary>The trusted claims each member shared, by agent.</summary>
    public Dictionary<string, List<ConsensusClaim>> Claims { get; set; } = new(StringComparer.Ordinal);
}
