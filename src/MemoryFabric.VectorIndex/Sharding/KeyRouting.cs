using System.Text;
using MemoryFabric.VectorIndex.Snapshots;

namespace MemoryFabric.VectorIndex.Sharding;

/// <summary>
/// Routes keys to shards: h = XXH64(UTF-8 key, seed 0) (stable across processes and machines, unlike
/// <see cref="string.GetHashCode()"/>). The base shard is h mod N; the remaining bits h / N decide splits: a shard
/// split d times holds the keys whose low d bits of h / N equal its prefix.
/// </summary>
internal static class KeyRouting
{
    /// <summary>The routing hash of a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        return XxHash64.Hash(buffer[..length]);
    }

    /// <summary>The routing hash of a key's UTF-8 bytes.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(ReadOnlySpan<byte> utf8) => XxHash64.Hash(utf8);
}

/// <summary>Where a shard sits in the routing: its base shard, how many times it was split, and its split
/// prefix.</summary>
/// <param name="Base">The base shard (h mod N).</param>
/// <param name="Depth">The number of splits.</param>
/// <param name="Prefix">The low <paramref name="Depth"/> bits of h / N its keys have.</param>
internal readonly record struct ShardRoute(int Base, int Depth, ulong Prefix)
{
    /// <summary>Whether a hash routes here.</summary>
    /// <param name="hash">The hash.</param>
    /// <param name="baseCount">N.</param>
    /// <returns>Whether it does.</returns>
    public bool Covers(ulong hash, int baseCount)
    {
        if ((int)(hash % (ulong)baseCount) != Base)
        {
            return false;
        }

        var rest = hash / (ulong)baseCount;
        var mask = Depth >= 64 ? ulong.MaxValue : (1UL << Depth) - 1;
        return (rest & mask) == Prefix;
    }

    /// <summary>The two halves of a split.</summary>
    /// <returns>The low (next bit 0) and high (next bit 1) halves.</returns>
    public (ShardRoute Low, ShardRoute High) Split() =>
        (new ShardRoute(Base, Depth + 1, Prefix), new ShardRoute(Base, Depth + 1, Prefix | (1UL << Depth)));

    /// <summary>The shard's name (see <see cref="ShardInfo.Name"/>).</summary>
    /// <returns>The name.</returns>
    public string Name()
    {
        if (Depth == 0)
        {
            return Base.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var bits = new char[Depth];
        for (var i = 0; i < Depth; i++)
        {
            bits[i] = ((Prefix >> i) & 1) == 0 ? '0' : '1';
        }

        return $"{Base}.{new string(bits)}";
    }
}
