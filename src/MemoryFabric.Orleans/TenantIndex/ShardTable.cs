using System.Text;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>A tenant's shard table: how many vector shards its index has and how item keys map to them. The shards
/// are <see cref="VectorShards.IVectorShardGrain"/>s keyed <c>{tenant}/shard-{n}</c>, so the tenant is part of every
/// shard's key by construction: a query routed through a tenant's table can only reach that tenant's shards.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Version">The table's version (1 for the fixed table; a split will write a higher one).</param>
/// <param name="ShardCount">How many shards.</param>
[GenerateSerializer]
[Alias("memoryfabric.tenantindex.table")]
public sealed record ShardTable([property: Id(0)] string Tenant, [property: Id(1)] int Version, [property: Id(2)] int ShardCount)
{
    /// <summary>The key of shard <paramref name="n"/>: <c>{tenant}/shard-{n}</c>.</summary>
    /// <param name="n">The shard number (0-based).</param>
    /// <returns>The grain key.</returns>
    public string ShardKey(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, ShardCount);
        return Tenant + "/shard-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every shard key, in order.</summary>
    public IEnumerable<string> ShardKeys => Enumerable.Range(0, ShardCount).Select(ShardKey);

    /// <summary>The shard an item key belongs to: a stable hash of the key's UTF-8 bytes (64-bit FNV-1a, the same on
    /// every machine and run) modulo the shard count.</summary>
    /// <param name="itemKey">The item key (<see cref="ItemKey"/>).</param>
    /// <returns>The shard number.</returns>
    public int ShardOf(string itemKey)
    {
        ArgumentNullException.ThrowIfNull(itemKey);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(itemKey))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (int)(hash % (ulong)ShardCount);
    }

    /// <summary>The key of an agent's item in the shards: <c>{agent}/{kind}/{id}</c> (the kind in lower case).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="kind">The item's kind.</param>
    /// <param name="id">The item's id.</param>
    /// <returns>The key.</returns>
    public static string ItemKey(string agent, MemoryItemKind kind, string id) => agent + "/" + KindName(kind) + "/" + id;

    /// <summary>Splits an item key made by <see cref="ItemKey"/>.</summary>
    /// <param name="itemKey">The key.</param>
    /// <param name="item">The agent, kind and id.</param>
    /// <returns>Whether the key was well formed.</returns>
    public static bool TryParseItemKey(string itemKey, out (string Agent, MemoryItemKind Kind, string Id) item)
    {
        item = default;
        var first = itemKey.IndexOf('/', StringComparison.Ordinal);
        var second = first < 0 ? -1 : itemKey.IndexOf('/', first + 1);
        if (first <= 0 || second < 0 || second == itemKey.Length - 1)
        {
            return false;
        }

        MemoryItemKind? kind = itemKey[(first + 1)..second] switch
        {
            "turn" => MemoryItemKind.Turn,
            "episode" => MemoryItemKind.Episode,
            "note" => MemoryItemKind.Note,
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        item = (itemKey[..first], kind.Value, itemKey[(second + 1)..]);
        return true;
    }

    /// <summary>The name of a kind in item keys and shard metadata: <c>turn</c>, <c>episode</c>, <c>note</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    public static string KindName(MemoryItemKind kind) => kind switch
    {
        MemoryItemKind.Turn => "turn",
        MemoryItemKind.Episode => "episode",
        _ => "note",
    };
}
