using MemoryFabric.Guard;
using MemoryFabric.Runtime;

namespace MemoryFabric.Actors;

/// <summary>
/// The actor (type <c>guard</c>, key: the tenant id) that holds a tenant's guard settings, its relation groups and
/// the trusted claims their agents share. Every change is written as a new snapshot before it is acknowledged.
/// </summary>
public sealed class TenantGuardActor : ITenantGuardActor, IActorLifecycle
{
    /// <summary>The actor type name.</summary>
    public const string TypeName = "guard";

    /// <summary>The most claims one agent shares (the most-backed first); beyond, the rest are dropped.</summary>
    public const int MaxClaimsPerAgent = 20_000;

    private readonly JsonSnapshotState<GuardState> _state;
    private bool _enabled = true;
    private SortedDictionary<string, SortedSet<string>> _groups = new(StringComparer.Ordinal);
    private Dictionary<string, List<ConsensusClaim>> _claims = new(StringComparer.Ordinal);

    /// <summary>Creates the actor.</summary>
    /// <param name="context">The runtime context.</param>
    public TenantGuardActor(IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _state = new JsonSnapshotState<GuardState>(context.Storage, "tenant guard");
    }

    /// <inheritdoc />
    public async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await _state.LoadAsync(cancellationToken).ConfigureAwait(false) is { } stored)
        {
            _enabled = stored.Enabled;
            _groups = new SortedDictionary<string, SortedSet<string>>(
                stored.Groups.ToDictionary(g => g.Name, g => new SortedSet<string>(g.Members, StringComparer.Ordinal), StringComparer.Ordinal),
                StringComparer.Ordinal);
            _claims = stored.Claims.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        }
    }

    /// <inheritdoc />
    public Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

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
        await SaveOrRollbackAsync(() => _enabled = was, cancellationToken).ConfigureAwait(false);
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
                cancellationToken).ConfigureAwait(false);
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
            cancellationToken).ConfigureAwait(false);
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
            cancellationToken).ConfigureAwait(false);
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
        var state = new GuardState(
            _enabled,
            _groups.Select(g => new RelationGroup(g.Key, g.Value.ToList())).ToList(),
            _claims.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));
        await _state.SaveOrRollbackAsync(state, rollback, cancellationToken).ConfigureAwait(false);
    }

    private sealed record GuardState(bool Enabled, List<RelationGroup> Groups, Dictionary<string, List<ConsensusClaim>> Claims);
}
