using System.Text.Json;
using MemoryFabric.Api;

namespace MemoryFabric.Orleans.Agents.Catalog;

/// <summary>An agent's card: the small durable summary the agent listing (<see cref="IAgentListGrain"/>) reads instead
/// of activating the agent. Its grain keeps it current (<see cref="AgentCardKeeper"/>) as a record of its own in the
/// <see cref="Storage.IActorStateStore"/>: <c>(<see cref="TypeName"/>, tenant/agent)</c>.</summary>
/// <param name="Turns">How many turns are stored.</param>
/// <param name="Episodes">How many episodes exist.</param>
/// <param name="Notes">How many active notes exist.</param>
/// <param name="Quarantined">How many items the guard keeps out of retrieval (flagged or confirmed).</param>
/// <param name="DataBytes">The stored size of the agent's state: its snapshot and the journal after it, in bytes.</param>
/// <param name="LastActivity">When the agent's memory was last written (turns, notes, guard changes, imports), or
/// <see langword="null"/> when not known (nothing written since the card existed).</param>
public sealed record AgentCard(long Turns, long Episodes, long Notes, long Quarantined, long DataBytes, DateTimeOffset? LastActivity)
{
    /// <summary>The record type of cards in the <see cref="Storage.IActorStateStore"/> (key <c>tenant/agent</c>).</summary>
    public const string TypeName = "agent-card";

    // The size may drift this far from the stored card (recall entries, dense-index snapshots) before it is rewritten.
    private const long SizeSlackBytes = 4096;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The listing's entry for the agent.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <returns>The entry.</returns>
    public AgentListItem ToListItem(string agent) => new(agent, Turns, Episodes, Notes, Quarantined, DataBytes, LastActivity);

    /// <summary>Whether <paramref name="stored"/> says what this card says, up to a small drift of the size (the
    /// larger of 4 KiB and 5 %), so that size-only changes too small to matter write nothing.</summary>
    /// <param name="stored">The stored card, if any.</param>
    /// <returns><see langword="true"/> when there is no need to write this card over it.</returns>
    public bool Matches(AgentCard? stored) =>
        stored is not null
        && stored with { DataBytes = DataBytes } == this
        && Math.Abs(stored.DataBytes - DataBytes) <= Math.Max(SizeSlackBytes, stored.DataBytes / 20);

    /// <summary>The stored form (JSON).</summary>
    /// <returns>The bytes.</returns>
    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a stored card.</summary>
    /// <param name="bytes">The stored form.</param>
    /// <returns>The card, or <see langword="null"/> when the bytes are not a card (it is then rewritten).</returns>
    public static AgentCard? Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<AgentCard>(bytes, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
