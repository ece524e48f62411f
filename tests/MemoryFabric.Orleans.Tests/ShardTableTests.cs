using MemoryFabric.Orleans.TenantIndex;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The tenant index's routing: an unsplit table is FNV-1a modulo N with the keys tables had before splits
/// existed; a split moves only its source's keys, half to each half; a table that would route a key twice or nowhere is
/// refused.</summary>
public sealed class ShardTableTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 4000).Select(i => $"agent-{i % 17}/turn/t{i}")];

    [Fact]
    public void An_unsplit_table_routes_by_the_hash_modulo_n_to_the_keys_it_always_had()
    {
        var table = new ShardTable("acme", 1, 4);

        Assert.Equal(["acme/shard-0", "acme/shard-1", "acme/shard-2", "acme/shard-3"], table.ShardKeys);
        Assert.All(Keys, k => Assert.Equal((int)(ShardTable.Hash(k) % 4), table.ShardOf(k)));
        Assert.Equal(0xcbf29ce484222325UL, ShardTable.Hash(string.Empty)); // FNV-1a's offset basis: the same hash as before
        Assert.Equal(new ShardTable("acme", 1, 4), table);
    }

    [Fact]
    public void A_split_moves_only_its_sources_keys_about_half_to_each_half()
    {
        var table = new ShardTable("acme", 1, 3);
        var split = table.Split(table.Shards[1]);
        var twice = split.Split(split.Shards.Single(s => s.Id == 1));

        Assert.Equal(2, split.Version);
        Assert.Equal(["acme/shard-0", "acme/shard-2", "acme/shard-1.1", "acme/shard-4.1"], split.ShardKeys);
        Assert.Equal(["acme/shard-0", "acme/shard-2", "acme/shard-4.1", "acme/shard-1.2", "acme/shard-7.2"], twice.ShardKeys);
        foreach (var (before, after) in new[] { (table, split), (split, twice) })
        {
            var moved = Keys.Where(k => before.ShardKey(before.ShardOf(k)) != after.ShardKey(after.ShardOf(k))).ToList();
            var source = before.ShardKeys.Except(after.ShardKeys).Single();
            var halves = after.ShardKeys.Except(before.ShardKeys).ToList();
            Assert.All(moved, k => Assert.Equal(source, before.ShardKey(before.ShardOf(k))));
            Assert.DoesNotContain(Keys, k => before.ShardKey(before.ShardOf(k)) == source && !moved.Contains(k));
            var shares = halves.Select(h => moved.Count(k => after.ShardKey(after.ShardOf(k)) == h)).ToList();
            Assert.All(shares, share => Assert.InRange(share, moved.Count * 0.4, moved.Count * 0.6));
        }

        Assert.All(Keys, k => Assert.True(twice.Shards[twice.ShardOf(k)].Covers(ShardTable.RoutingHash(k, 3), 3)));
    }

    [Fact]
    public void Keys_made_of_the_same_characters_split_evenly()
    {
        // The lowest bit of FNV-1a is the parity of the bytes' lowest bits: every permutation of "abcdefg" has the same
        // one, so splitting by FNV's own bits would send all 5,040 keys to one half. The split bits come from the mixed
        // hash.
        var table = new ShardTable("acme", 1, 1);
        var split = table.Split(table.Shards[0]).Split(new ShardRange(0, 1)).Split(new ShardRange(1, 1));
        var keys = Permutations("abcdefg").Select(p => "agent/turn/" + p).ToList();
        Assert.Single(keys.Select(k => ShardTable.Hash(k) % 2).Distinct());

        var shares = keys.GroupBy(split.ShardOf).Select(g => g.Count()).ToList();

        Assert.Equal(4, shares.Count);
        Assert.All(shares, share => Assert.InRange(share, 1_100, 1_420));
    }

    private static IEnumerable<string> Permutations(string s) =>
        s.Length <= 1 ? [s] : s.SelectMany((c, i) => Permutations(s.Remove(i, 1)).Select(rest => c + rest));

    [Fact]
    public void Tables_that_route_a_key_twice_or_nowhere_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ShardTable("acme", 2, 2, [new ShardRange(0, 0), new ShardRange(0, 1), new ShardRange(1, 0)])); // overlap
        Assert.Throws<ArgumentException>(() => new ShardTable("acme", 2, 2, [new ShardRange(0, 1), new ShardRange(1, 0)])); // 2@1 missing
        Assert.Throws<ArgumentException>(() => new ShardTable("acme", 2, 2, [new ShardRange(2, 0), new ShardRange(1, 0)])); // out of range
        Assert.Throws<ArgumentException>(() => new ShardTable("acme", 1, 2).Split(new ShardRange(5, 3)));
        Assert.Equal(3, new ShardTable("acme", 2, 2, [new ShardRange(0, 1), new ShardRange(2, 1), new ShardRange(1, 0)]).ShardCount);
    }
}
