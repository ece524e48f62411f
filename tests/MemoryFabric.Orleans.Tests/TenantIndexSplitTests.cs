using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Splitting a tenant's vector shards: a split, run while agents write and forget, leaves every item in exactly
/// the shard the new table routes it to; shards past the threshold split by themselves; a writer or a search holding the
/// table from before a split still lands right (a two-silo cluster, 2 base shards, threshold 60, 2 items copied per
/// step).
[Collection(TenantIndexTestGroup.Name)]
public sealed class TenantIndexSplitTests(TenantIndexSplitTests.Fixture fixture) : IClassFixture<TenantIndexSplitTests.Fixture>
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Agents = ["ana", "ben", "cleo"];

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_split_under_concurrent_writes_and_forgets_keeps_every_item_in_the_shard_its_key_routes_to()
    {
        var tenant = TenantIndexTests.NewTenant();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in Agents)
        {
            await WriteAsync(tenant, agent, 0, 15, written);
        }

        var before = await Index(tenant).GetTableAsync();
        await SettledItemsAsync(tenant, before, written);

        // Every agent writes ten more turns one at a time, and one forgets three turns; the split starts after the
        // first writes, so it runs while the rest go on.
        var forgotten = new[] { TurnId("ben", 2), TurnId("ben", 7), TurnId("ben", 11) };
        var started = new TaskCompletionSource();
        var writes = Agents.Select(async agent =>
        {
            var mine = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 15; i < 25; i++)
            {
                await WriteAsync(tenant, agent, i, 1, mine);
                if (i == 16)
                {
                    await started.Task;
                }
            }

            return mine;
        }).ToList();
        Assert.True(await Index(tenant).SplitAsync(before.ShardKey(0)));
        started.SetResult();
        var forget = Agent(tenant, "ben").ForgetTurnsAsync(forgotten);
        foreach (var mine in await Task.WhenAll(writes))
        {
            written.UnionWith(mine);
        }

        Assert.Equal(forgotten.Order(StringComparer.Ordinal), (await forget).ForgottenTurnIds.Order(StringComparer.Ordinal));
        written.ExceptWith(forgotten.Select(id => ShardTable.ItemKey("ben", MemoryItemKind.Turn, id)));
        await WaitForSplitAsync(tenant);

        // The agents' outboxes still hold the old table: their next writes meet the retired shard and route again.
        foreach (var agent in Agents)
        {
            await WriteAsync(tenant, agent, 25, 4, written);
        }

        var after = await Index(tenant).GetTableAsync();
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(3, after.ShardCount);
        Assert.DoesNotContain(before.ShardKey(0), after.ShardKeys);
        var items = await SettledItemsAsync(tenant, after, written);
        Assert.All(items, item => Assert.Equal(after.ShardKey(after.ShardOf(item.Key)), item.Value));

        // The retired source holds nothing, refuses changes, and answers a search through its halves.
        var source = Cluster.Client.GetGrain<IVectorShardGrain>(before.ShardKey(0));
        Assert.Equal(0, await source.CountAsync());
        var vector = await EmbedAsync(TurnText("ana", 16));
        await Assert.ThrowsAsync<ShardMovedException>(() => source.UpsertAsync([new VectorShardEntry("ana/turn/x", vector, "ana", "turn", Start)]));
        await Assert.ThrowsAsync<ShardMovedException>(() => source.DeleteAsync(["ana/turn/x"]));
        var withOld = await TenantShardSearch.SearchAsync(Cluster.Client, before, vector, 10);
        var withNew = await TenantShardSearch.SearchAsync(Cluster.Client, after, vector, 10);
        Assert.Equal(withNew, withOld);
        Assert.Equal(ShardTable.ItemKey("ana", MemoryItemKind.Turn, TurnId("ana", 16)), withNew[0].Key);

        var hits = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = TurnText("cleo", 21), Limit = 1, Kinds = [MemoryItemKind.Turn] })).Hits;
        Assert.Equal(TurnId("cleo", 21), Assert.Single(hits).Item.Id);
        Assert.DoesNotContain(
            (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = TurnText("ben", 7), Limit = 20, Agents = ["ben"] })).Hits,
            h => forgotten.Contains(h.Item.Id));

        // Deleting the tenant's index clears the halves and the retired source's split state.
        await Index(tenant).ClearAsync();
        foreach (var key in after.ShardKeys)
        {
            Assert.Equal(0, await Cluster.Client.GetGrain<IVectorShardGrain>(key).CountAsync());
        }

        await source.UpsertAsync([new VectorShardEntry("ana/turn/x", vector, "ana", "turn", Start)]); // a shard again, not retired
        await source.ClearAsync();
    }

    [Fact]
    public async Task Shards_past_the_threshold_split_by_themselves_and_search_still_finds_every_item()
    {
        var tenant = TenantIndexTests.NewTenant();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in Agents)
        {
            await WriteAsync(tenant, agent, 0, 60, written); // 180 items on 2 shards of threshold 60
        }

        await FlushAsync(tenant);
        await Eventually.TrueAsync(
            async () => (await Index(tenant).GetTableAsync()).Shards.Count >= 4 && await Index(tenant).GetSplitAsync() is null,
            "both base shards splitting",
            TimeSpan.FromSeconds(90));

        var table = await Index(tenant).GetTableAsync();
        var items = await SettledItemsAsync(tenant, table, written);
        Assert.All(items, item => Assert.Equal(table.ShardKey(table.ShardOf(item.Key)), item.Value));
        Assert.All(table.Shards, s => Assert.True(s.Depth >= 1, $"shard {s} was not split"));
        foreach (var (agent, n) in new[] { ("ana", 3), ("ben", 44), ("cleo", 59) })
        {
            var hits = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = TurnText(agent, n), Limit = 1, Kinds = [MemoryItemKind.Turn] })).Hits;
            Assert.Equal(TurnId(agent, n), Assert.Single(hits).Item.Id);
        }
    }

    [Fact]
    public async Task Changes_between_copy_steps_reach_the_halves_and_the_retired_shard_refuses_more()
    {
        var tenant = TenantIndexTests.NewTenant();
        var table = new ShardTable(tenant, 1, 1);
        var (low, high) = table.Shards[0].Halves(1);
        var plan = new VectorShardSplit(1, low, table.KeyOf(low), high, table.KeyOf(high));
        var source = Cluster.Client.GetGrain<IVectorShardGrain>(table.ShardKey(0));
        var expected = new Dictionary<string, float[]>(StringComparer.Ordinal);
        async Task UpsertAsync(params int[] items)
        {
            var entries = items.Select(i => new VectorShardEntry($"a/turn/{i:D3}", Vector(i), "a", "turn", Start)).ToList();
            await source.UpsertAsync(entries);
            foreach (var e in entries)
            {
                expected[e.Key] = e.Vector;
            }
        }

        await UpsertAsync([.. Enumerable.Range(0, 30)]);
        await source.BeginSplitAsync(plan);
        await source.BeginSplitAsync(plan); // again: nothing changes
        var step = await source.CopySplitAsync(null, 10); // a third copied
        Assert.Equal((10, 10, 30), (step.Copied, step.Position, step.Total));

        // Every grain deactivated: the source comes back with its split from storage and goes on forwarding.
        await Cluster.Client.GetGrain<global::Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        // Between steps: new items, changed vectors (some copied already, some not), deletes and forgets on both sides.
        await UpsertAsync(30, 31, 32);
        expected["a/turn/003"] = expected["a/turn/025"] = Vector(1000);
        await source.UpsertAsync([new VectorShardEntry("a/turn/003", Vector(1000), "a", "turn", Start), new VectorShardEntry("a/turn/025", Vector(1000), "a", "turn", Start)]);
        Assert.Equal(2, await source.DeleteAsync(["a/turn/004", "a/turn/020"]));
        Assert.Equal(2, await source.ForgetAsync(["a/turn/005", "a/turn/021"]));
        foreach (var key in new[] { "a/turn/004", "a/turn/020", "a/turn/005", "a/turn/021" })
        {
            expected.Remove(key);
        }

        while (step.Next is not null)
        {
            step = await source.CopySplitAsync(step.Next, 10);
        }

        await UpsertAsync(33);
        await source.FinishSplitAsync();

        var halves = new[] { plan.LowKey, plan.HighKey }.Select(k => Cluster.Client.GetGrain<IVectorShardGrain>(k)).ToList();
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (half, key) in halves.Zip([plan.LowKey, plan.HighKey]))
        {
            foreach (var item in await half.ListKeysAsync(null, 1000))
            {
                Assert.True(held.TryAdd(item, key), $"{item} is in both halves");
                Assert.Equal(plan.HalfOf(item), key);
            }
        }

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), held.Keys.Order(StringComparer.Ordinal));
        Assert.All(held.Values.Distinct(), k => Assert.Contains(k, new[] { plan.LowKey, plan.HighKey })); // both used
        Assert.Equal(2, held.Values.Distinct().Count());
        foreach (var (key, vector) in expected)
        {
            var hit = (await Cluster.Client.GetGrain<IVectorShardGrain>(held[key]).SearchAsync(vector, 3)).First(h => h.Key == key);
            Assert.True(hit.Score > 0.99f, $"{key} holds another vector (score {hit.Score})");
        }

        Assert.Equal(0, await source.CountAsync());
        Assert.Empty(await source.ListKeysAsync(null, 10));
        await Assert.ThrowsAsync<ShardMovedException>(() => source.UpsertAsync([new VectorShardEntry("a/turn/x", Vector(1), "a", "turn", Start)]));
        await Assert.ThrowsAsync<ShardMovedException>(() => source.ForgetAsync(["a/turn/001"]));
        await Assert.ThrowsAsync<ShardMovedException>(() => source.ForgetAgentAsync("a"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.BeginSplitAsync(plan with { HighKey = "other" }));
        var search = await source.SearchAsync(Vector(31), 1); // through the halves
        Assert.Equal("a/turn/031", Assert.Single(search).Key);
        await Task.WhenAll(halves.Select(h => h.ClearAsync()).Append(source.ClearAsync()));
    }

    // A vector of its own for every n (8 dimensions, unit length after the shard normalises it).
    private static float[] Vector(int n) => [.. Enumerable.Range(0, 8).Select(i => (float)Math.Sin((n + 1) * (i + 1) * 0.37))];

    private static string TurnId(string agent, int n) => $"{agent}-turn-{n:D3}";

    private async Task WriteAsync(string tenant, string agent, int from, int count, HashSet<string> written)
    {
        var turns = Enumerable.Range(from, count).Select(i => new TurnInput
        {
            Id = TurnId(agent, i),
            SessionId = "s1",
            Speaker = "user",
            Role = TurnRole.User,
            Text = TurnText(agent, i),
            Timestamp = Start.AddMinutes(i),
        }).ToList();
        await Agent(tenant, agent).IngestAsync(turns);
        written.UnionWith(turns.Select(t => ShardTable.ItemKey(agent, MemoryItemKind.Turn, t.Id!)));
    }

    // The shards' items once they hold exactly what the agents have (episodes are cut in the background, so the agents
    // are flushed and compared again until both agree; an item lost for good never agrees).
    private async Task<Dictionary<string, string>> SettledItemsAsync(string tenant, ShardTable table, HashSet<string> turns)
    {
        Dictionary<string, string> items = [];
        List<string> expected = [];
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    await FlushAsync(tenant);
                    expected = await ExpectedAsync(tenant, turns);
                    items = await ItemsAsync(table);
                    return expected.SequenceEqual(items.Keys.Order(StringComparer.Ordinal));
                },
                "the shards holding exactly the agents' items");
        }
        catch (TimeoutException)
        {
            Assert.Equal(expected, items.Keys.Order(StringComparer.Ordinal)); // shows the difference
            throw;
        }

        return items;
    }

    // What the shards must hold: the turns written and not forgotten, and every episode and active note the agents have.
    private async Task<List<string>> ExpectedAsync(string tenant, HashSet<string> turns)
    {
        var expected = new HashSet<string>(turns, StringComparer.Ordinal);
        foreach (var agent in Agents)
        {
            string? cursor = null;
            do
            {
                var page = await Agent(tenant, agent).GetEpisodePageAsync(null, null, cursor, 100);
                expected.UnionWith(page.Episodes.Select(e => ShardTable.ItemKey(agent, MemoryItemKind.Episode, e.Id)));
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            expected.UnionWith((await Agent(tenant, agent).GetNotesAsync(false)).Select(n => ShardTable.ItemKey(agent, MemoryItemKind.Note, n.Id)));
        }

        return [.. expected.Order(StringComparer.Ordinal)];
    }

    private static string TurnText(string agent, int i) => $"{agent} says fact number {i}: the {Word(i)} is {Word((i * 7) + 3)}.";

    private static string Word(int i) => new[] { "lamp", "river", "orange", "castle", "violin", "garden", "pepper", "rocket", "marble", "tiger", "cloud" }[i % 11];

    // Every agent ships what it has (the tenant-wide search's own flush, without a query).
    private async Task FlushAsync(string tenant)
    {
        foreach (var agent in Agents)
        {
            await Cluster.Client.GetGrain<IAgentVectorOutboxGrain>(tenant + "/" + agent).FlushVectorOutboxAsync();
        }
    }

    private async Task WaitForSplitAsync(string tenant) =>
        await Eventually.TrueAsync(async () => await Index(tenant).GetSplitAsync() is null, "the split finishing", TimeSpan.FromSeconds(60));

    // Every key every shard of the table holds, with the shard that holds it (a key in two shards fails).
    private async Task<Dictionary<string, string>> ItemsAsync(ShardTable table)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shardKey in table.ShardKeys)
        {
            var shard = Cluster.Client.GetGrain<IVectorShardGrain>(shardKey);
            string? after = null;
            while (true)
            {
                var page = await shard.ListKeysAsync(after, 50);
                foreach (var key in page)
                {
                    Assert.True(items.TryAdd(key, shardKey), $"{key} is in {items.GetValueOrDefault(key)} and {shardKey}");
                }

                if (page.Count < 50)
                {
                    break;
                }

                after = page[^1];
            }
        }

        return items;
    }

    private static async Task<float[]> EmbedAsync(string text) =>
        (await new HashingEmbeddingGenerator(64).GenerateAsync([text]))[0].Vector.ToArray();

    private IAgentMemoryGrain Agent(string tenant, string name) => Cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);

    private ITenantSearchGrain Search(string tenant) => Cluster.Client.GetGrain<ITenantSearchGrain>(tenant);

    private ITenantIndexGrain Index(string tenant) => Cluster.Client.GetGrain<ITenantIndexGrain>(tenant);

    /// <summary>One two-silo cluster for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TenantIndexCluster.StartSplittingAsync();

        public async Task DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}
