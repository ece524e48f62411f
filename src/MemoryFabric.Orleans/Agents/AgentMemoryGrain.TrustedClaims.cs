using MemoryFabric.Guard;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.Agents;

/// <summary>The call retrieval-time consensus through the tenant's shards makes on a peer agent
/// (<see cref="AgentMemoryGrain"/>, key <c>tenant/agent</c>): the trusted claims its notes found by the shards back
/// (<see cref="Guard.ShardConsensusPeers"/>).</summary>
[Alias("memoryfabric.agent.trusted-claims")]
public interface IAgentTrustedClaimsGrain : IGrainWithStringKey
{
    /// <summary>The agent's trusted claims (<see cref="AgentMemory.GetTrustedClaims"/>, the claims it publishes to its
    /// relation groups) about some subjects: those backed by the named notes, or all of them. Answered interleaved with
    /// the agent's other calls (it reads the memory and calls nothing), so agents that ask each other at the same time
    /// never wait for each other; it may therefore see a write whose journal append is still under way.</summary>
    /// <param name="itemKeys">Note item keys (<see cref="ShardTable.ItemKey"/>) of this agent, as the shards found them;
    /// <see langword="null"/> for every trusted claim about the subjects (an agent whose changes the shards may lack).
    /// Keys of other agents or kinds, and notes no longer live, are ignored.</param>
    /// <param name="subjects">The subjects (compared case-insensitively, trimmed, as
    /// <see cref="Guard.ITenantGuardGrain.GetPeerClaimsAsync"/> compares them).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claims, each naming this agent.</returns>
    [global::Orleans.Concurrency.AlwaysInterleave]
    [Alias("trusted-claims")]
    Task<IReadOnlyList<ConsensusClaim>> GetTrustedClaimsAsync(IReadOnlyList<string>? itemKeys, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default);
}

// A peer's side of consensus through the shards: the shards hold vectors only, so the agent that owns a hit says which
// of its trusted claims the note backs. Trust is the agent's own notion (GetTrustedClaims), never re-derived here.
public sealed partial class AgentMemoryGrain : IAgentTrustedClaimsGrain
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<ConsensusClaim>> GetTrustedClaimsAsync(IReadOnlyList<string>? itemKeys, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_exists || subjects.Count == 0 || itemKeys is { Count: 0 })
        {
            return []; // purged, or never written: it backs nothing
        }

        var wanted = new HashSet<string>(subjects.Select(s => s.Trim()), StringComparer.OrdinalIgnoreCase);
        var about = _memory.GetTrustedClaims().Where(c => wanted.Contains(c.Subject.Trim()));
        if (itemKeys is not null)
        {
            // The (subject, attribute) → values the found notes state; a claim is kept when one of them states it.
            var stated = new Dictionary<(string Subject, string Attribute), HashSet<string>>(SubjectAttributeComparer.Instance);
            foreach (var itemKey in itemKeys)
            {
                // A live note only (not forgotten, superseded or quarantined); the engine answers at once (no await yields).
                if (!ShardTable.TryParseItemKey(itemKey, out var key) || key.Agent != _agent || key.Kind != MemoryItemKind.Note
                    || _memory.DescribeRetrievableItem(MemoryItemKind.Note, key.Id, 0) is null)
                {
                    continue;
                }

                if (await _memory.GetNoteAsync(key.Id, cancellationToken) is { Attribute: { } attribute, Value: { } value } note && wanted.Contains(note.Subject.Trim()))
                {
                    var pair = (note.Subject.Trim(), attribute.Trim());
                    if (!stated.TryGetValue(pair, out var values))
                    {
                        values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        stated[pair] = values;
                    }

                    values.Add(value.Trim());
                }
            }

            about = about.Where(c => stated.TryGetValue((c.Subject.Trim(), c.Attribute.Trim()), out var values) && values.Contains(c.Value.Trim()));
        }

        return [.. about.Select(c => c with { Agent = _agent })];
    }

    // (subject, attribute) compared as the guard's claim keys are: trimmed, case-insensitive.
    private sealed class SubjectAttributeComparer : IEqualityComparer<(string Subject, string Attribute)>
    {
        public static readonly SubjectAttributeComparer Instance = new();

        public bool Equals((string Subject, string Attribute) x, (string Subject, string Attribute) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Subject, y.Subject) && StringComparer.OrdinalIgnoreCase.Equals(x.Attribute, y.Attribute);

        public int GetHashCode((string Subject, string Attribute) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Subject), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Attribute));
    }
}
