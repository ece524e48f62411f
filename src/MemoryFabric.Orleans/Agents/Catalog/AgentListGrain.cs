using MemoryFabric.Api;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tenants;
using Orleans.Concurrency;

namespace MemoryFabric.Orleans.Agents.Catalog;

/// <summary>
/// Lists a tenant's agents (<see cref="IAgentListGrain"/>): the agents are the keys of the stored agent state
/// (<c>(agent, tenant/…)</c> in the <see cref="IActorStateStore"/>: what a purge removes), one page of them read in key
/// order after the cursor; the figures are their cards (<see cref="AgentCard"/>), read beside them.
/// </summary>
/// <remarks>
/// <para>No agent is activated for a listing, except an agent stored without a card (written before cards existed,
/// or whose first card is not written yet): its grain is asked for the card once, and keeps it from then on.</para>
/// <para>Isolation: every key read is under <c>tenant/</c>, the tenant being this grain's key (the caller's, never a
/// parameter), and the prefix and the cursor are agent names (no <c>/</c>), so no prefix or cursor reaches another
/// tenant's keys.</para>
/// </remarks>
/// <param name="store">Where agents and their cards are stored.</param>
[StatelessWorker]
public sealed class AgentListGrain(IActorStateStore store) : Grain, IAgentListGrain
{
    // How many cards are read at once.
    private const int CardReads = 16;

    private readonly IActorStateStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public async Task<AgentPage> ListAsync(string? cursor, int? limit, string? prefix, CancellationToken cancellationToken = default)
    {
        var query = AgentListQuery.Parse(cursor, limit, prefix);
        var tenant = this.GetPrimaryKeyString();
        if (!TenantIds.IsValid(tenant))
        {
            throw new InvalidOperationException($"The agent list grain is keyed by a tenant id ({TenantIds.Rule}).");
        }

        var root = tenant + "/";
        var keys = await _store.ListKeysAsync(
            AgentMemoryGrain.TypeName, root + query.Prefix, query.After is { } after ? root + after : null, query.Limit + 1, cancellationToken);
        var page = keys.Take(query.Limit).ToList();
        var items = new AgentListItem?[page.Count];
        for (var start = 0; start < page.Count; start += CardReads)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(CardReads, page.Count - start))
                .Select(async i => items[i] = await ItemAsync(page[i], page[i][root.Length..], cancellationToken)));
        }

        var next = keys.Count > query.Limit ? AgentListQuery.Cursor(page[^1][root.Length..]) : null;
        return new AgentPage(items.OfType<AgentListItem>().ToList(), next);
    }

    private async Task<AgentListItem?> ItemAsync(string key, string agent, CancellationToken cancellationToken)
    {
        if (!AgentNames.IsValid(agent))
        {
            return null; // not an agent the API can name (a key written to a grain directly)
        }

        var stored = await _store.LoadAsync(new ActorId(AgentCard.TypeName, key), cancellationToken);
        if (stored.Snapshot is { } bytes && AgentCard.Decode(bytes.Span) is { } card)
        {
            return card.ToListItem(agent);
        }

        try
        {
            return (await GrainFactory.GetGrain<IAgentMemoryGrain>(key).GetCardAsync(cancellationToken)).ToListItem(agent);
        }
        catch (AgentNotFoundException)
        {
            return null; // purged since its key was listed
        }
    }
}
