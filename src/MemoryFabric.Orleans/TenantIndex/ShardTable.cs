using System.Text;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>A tenant's shard table: the tenant's vector shards and how item keys map to them. The shards are
/// <see cref="VectorShards.IVectorShardGrain"/>s keyed <c>{tenant}/shard-{id}</c> (<c>{tenant}/shard-{id}.{depth}</c>
/// once split), so the tenant is part of every shard's key by construction: a query routed through a tenant's table can
/// only reach that tenant's shards.</summary>
/// <remarks>
/// <para>Routing is extendible hashing over R = <see cref="RoutingHash"/> of the item key (from 64-bit FNV-1a of its UTF-8
/// bytes: the same on every machine and run). A table starts with <see cref="BaseShards"/> = N shards at depth 0; shard
/// (id, d) holds the keys with R mod (N·2^d) = id. A split replaces (id, d) by (id, d + 1) and (id + N·2^d, d + 1), which divide its keys by the next
/// bit of R / N; no other shard's keys move. An unsplit table is exactly h mod N, keys <c>shard-0</c> …
/// <c>shard-{N-1}</c>.</para>
/// <para>Positions: <see cref="ShardOf"/> returns a position in <see cref="Shards"/> (0 to <see cref="ShardCount"/> −
/// 1), which <see cref="ShardKey"/> turns into a grain key.</para>
/// </remarks>
[GenerateSerializer]
[Alias("memoryfabric.tenantindex.table")]
public sealed record ShardTable
{
    /// <summary>The most times a shard can be split (the routing hash has that many bits past the base shard).</summary>
    public const int MaxDepth = 40;

    [NonSerialized]
    private Dictionary<(int Id, int Depth), int>? _positions;

    /// <summary>Creates the unsplit table of <paramref name="baseShards"/> shards.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="version">The table's version (1 for a new table; each split adds one).</param>
    /// <param name="baseShards">N, the number of shards the table started with.</param>
    public ShardTable(string tenant, int version, int baseShards)
        : this(tenant, version, baseShards, null)
    {
    }

    /// <summary>Creates a table.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="version">The table's version.</param>
    /// <param name="baseShards">N, the number of shards the table started with.</param>
    /// <param name="shards">The shards (they must cover every hash exactly once), or the unsplit N.</param>
    public ShardTable(string tenant, int version, int baseShards, IEnumerable<ShardRange>? shards)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseShards, 1);
        Tenant = tenant;
        Version = version;
        BaseShards = baseShards;
        Shards = shards is null
            ? [.. Enumerable.Range(0, baseShards).Select(n => new ShardRange(n, 0))]
            : [.. shards.OrderBy(s => s.Depth).ThenBy(s => s.Id)];
        CheckCoverage();
    }

    /// <summary>The tenant.</summary>
    [Id(0)]
    public string Tenant { get; }

    /// <summary>The table's version (1 for a new table; each split adds one).</summary>
    [Id(1)]
    public int Version { get; }

    /// <summary>N, the number of shards the table started with (the hash's base modulus).</summary>
    [Id(2)]
    public int BaseShards { get; }

    /// <summary>The shards, by depth then id.</summary>
    [Id(3)]
    public IReadOnlyList<ShardRange> Shards { get; }

    /// <summary>How many shards.</summary>
    public int ShardCount => Shards.Count;

    /// <summary>Every shard key, in the order of <see cref="Shards"/>.</summary>
    public IEnumerable<string> ShardKeys => Enumerable.Range(0, ShardCount).Select(ShardKey);

    /// <summary>The key of the shard at a position: <c>{tenant}/shard-{id}</c>, or <c>{tenant}/shard-{id}.{depth}</c>
    /// for a shard made by a split.</summary>
    /// <param name="position">The shard's position in <see cref="Shards"/>.</param>
    /// <returns>The grain key.</returns>
    public string ShardKey(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, ShardCount);
        return KeyOf(Shards[position]);
    }

    /// <summary>The grain key of a shard of this tenant.</summary>
    /// <param name="range">The shard.</param>
    /// <returns>The key.</returns>
    public string KeyOf(ShardRange range) =>
        Tenant + "/shard-" + range.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + (range.Depth == 0 ? string.Empty : "." + range.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The position (in <see cref="Shards"/>) of the shard an item key belongs to.</summary>
    /// <param name="itemKey">The item key (<see cref="ItemKey"/>).</param>
    /// <returns>The position.</returns>
    public int ShardOf(string itemKey) => PositionOf(RoutingHash(itemKey, BaseShards));

    /// <summary>The position of the shard a routing hash belongs to.</summary>
    /// <param name="hash">The hash (<see cref="RoutingHash"/>).</param>
    /// <returns>The position.</returns>
    public int PositionOf(ulong hash)
    {
        var positions = _positions ??= Shards.Select((s, i) => (s, i)).ToDictionary(p => (p.s.Id, p.s.Depth), p => p.i);
        for (var depth = Shards[^1].Depth; depth >= 0; depth--)
        {
            var id = (int)(hash % ((ulong)BaseShards << depth));
            if (positions.TryGetValue((id, depth), out var position))
            {
                return position;
            }
        }

        throw new InvalidOperationException("No shard covers the key: the shard table is inconsistent.");
    }

    /// <summary>The table after splitting a shard in two: version + 1, the shard replaced by its halves.</summary>
    /// <param name="range">The shard to split.</param>
    /// <returns>The new table.</returns>
    public ShardTable Split(ShardRange range)
    {
        if (!Shards.Contains(range))
        {
            throw new ArgumentException($"The table has no shard {range}.", nameof(range));
        }

        var (low, high) = range.Halves(BaseShards);
        return new ShardTable(Tenant, Version + 1, BaseShards, Shards.Where(s => s != range).Append(low).Append(high));
    }

    /// <summary>The routing hash of an item key in a table of <paramref name="baseShards"/> base shards: R = (h mod N) +
    /// N·(m mod 2^40), where h is <see cref="Hash"/> and m is h through MurmurHash3's 64-bit finalizer. R mod N is h mod N
    /// (the base shard, as tables have always routed); the bits a split divides by (R / N) come from m, because the low
    /// bits of FNV-1a depend only on the low bits of the key's bytes (keys that differ in digits alone would split
    /// unevenly).</summary>
    /// <param name="itemKey">The key.</param>
    /// <param name="baseShards">N.</param>
    /// <returns>R.</returns>
    public static ulong RoutingHash(string itemKey, int baseShards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baseShards, 1);
        var h = Hash(itemKey);
        var m = h;
        m ^= m >> 33;
        m *= 0xff51afd7ed558ccdUL;
        m ^= m >> 33;
        m *= 0xc4ceb9fe1a85ec53UL;
        m ^= m >> 33;
        return (h % (ulong)baseShards) + ((ulong)baseShards * (m & ((1UL << MaxDepth) - 1)));
    }

    /// <summary>The routing hash of an item key: 64-bit FNV-1a of its UTF-8 bytes.</summary>
    /// <param name="itemKey">The key.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(string itemKey)
    {
        ArgumentNullException.ThrowIfNull(itemKey);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(itemKey))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <inheritdoc />
    public bool Equals(ShardTable? other) =>
        other is not null && Tenant == other.Tenant && Version == other.Version && BaseShards == other.BaseShards && Shards.SequenceEqual(other.Shards);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tenant, Version, BaseShards, ShardCount);

    // Every hash must land in exactly one shard: the shards' shares of the hash space (1 / (N·2^d) each) add up to 1
    // and no two shards overlap (one is never the other's ancestor or equal).
    private void CheckCoverage()
    {
        if (Shards.Count == 0 || Shards.Distinct().Count() != Shards.Count)
        {
            throw new ArgumentException("A shard table needs distinct shards.");
        }

        var maxDepth = Shards[^1].Depth;
        if (maxDepth > MaxDepth)
        {
            throw new ArgumentException($"A shard was split more than {MaxDepth} times.");
        }

        var present = Shards.ToHashSet();
        var total = 0UL;
        foreach (var s in Shards)
        {
            if (s.Depth < 0 || s.Id < 0 || (ulong)s.Id >= (ulong)BaseShards << s.Depth)
            {
                throw new ArgumentException($"Shard {s} is out of range for {BaseShards} base shards.");
            }

            total += 1UL << (maxDepth - s.Depth);
            for (var depth = 0; depth < s.Depth; depth++)
            {
                var ancestor = new ShardRange((int)((ulong)s.Id % ((ulong)BaseShards << depth)), depth);
                if (present.Contains(ancestor))
                {
                    throw new ArgumentException($"Shards {ancestor} and {s} overlap.");
                }
            }
        }

        if (total != (ulong)BaseShards << maxDepth)
        {
            throw new ArgumentException("The shards do not cover every key.");
        }
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

/// <summary>A shard's place in its table's routing: the keys with R mod (N·2^<paramref name="Depth"/>) =
/// <paramref name="Id"/> (see <see cref="ShardTable"/>).</summary>
/// <param name="Id">The shard's id (below N·2^<paramref name="Depth"/>).</param>
/// <param name="Depth">How many splits made it (0 for the table's first shards).</param>
[GenerateSerializer]
[Alias("memoryfabric.tenantindex.range")]
public readonly record struct ShardRange([property: Id(0)] int Id, [property: Id(1)] int Depth)
{
    /// <summary>Whether a routing hash belongs to this shard.</summary>
    /// <param name="hash">The routing hash (<see cref="ShardTable.RoutingHash"/>).</param>
    /// <param name="baseShards">The table's N.</param>
    /// <returns>Whether it does.</returns>
    public bool Covers(ulong hash, int baseShards) => hash % ((ulong)baseShards << Depth) == (ulong)Id;

    /// <summary>The two shards a split makes: (id, depth + 1) and (id + N·2^depth, depth + 1).</summary>
    /// <param name="baseShards">The table's N.</param>
    /// <returns>The halves.</returns>
    public (ShardRange Low, ShardRange High) Halves(int baseShards) =>
        (new ShardRange(Id, Depth + 1), new ShardRange(checked(Id + (int)((ulong)baseShards << Depth)), Depth + 1));

    /// <inheritdoc />
    public override string ToString() => Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@" + Depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
