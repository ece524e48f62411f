using System.Text;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The tenant's sharded vector index in the data path: agents' outboxes ship their vectors to the tenant's
/// shards, a tenant-wide search reads its own writes at once, forgets and purges reach the shards' stored state, and
/// tenants never see each other (one two-silo cluster for the class, the outbox flushed 50 ms after a change).</summary>
[Collection(TenantIndexTestGroup.Name)]
public sealed class TenantIndexTests(TenantIndexTests.Fixture fixture) : IClassFixture<TenantIndexTests.Fixture>
{
    private static readonly DateTimeOffset Start = new(2025, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_fact_written_to_an_agent_is_found_tenant_wide_at_once()
    {
        var tenant = NewTenant();
        await Agent(tenant, "support-1").IngestAsync(Facts("support-1", "The printer on floor two jams on glossy paper.", "Lunch is served at noon."));
        await Agent(tenant, "support-2").IngestAsync(Facts("support-2", "The Lisbon office moved to Rua Augusta 12 in March."));

        // No wait: the search flushes the agents whose outbox has pending changes before it asks the shards.
        var hits = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "Lisbon office Rua Augusta", Limit = 3 })).Hits;

        Assert.NotEmpty(hits);
        Assert.Equal("support-2", hits[0].Agent);
        Assert.Contains("Rua Augusta 12", hits[0].Item.Text, StringComparison.Ordinal);
        Assert.Equal(MemoryItemKind.Turn, hits[0].Item.Kind);
        Assert.Equal(1, hits[0].DenseRank);
        Assert.Null(hits[0].LexicalRank);
    }

    [Fact]
    public async Task The_outbox_ships_by_itself_and_the_tenant_index_forgets_the_agent_once_flushed()
    {
        var tenant = NewTenant();
        await Agent(tenant, "a").IngestAsync(Facts("a", "Alpha fact one.", "Alpha fact two.", "Alpha fact three."));

        await Eventually.TrueAsync(async () => await CountAsync(tenant) == 3, "the outbox timer shipping the three turns");
        await Eventually.TrueAsync(async () => (await Index(tenant).GetPendingAgentsAsync()).Count == 0, "the agent leaving the pending set");
        var table = await Index(tenant).GetTableAsync();
        Assert.Equal(new ShardTable(tenant, 1, TenantIndexCluster.Shards), table);
        Assert.All(table.ShardKeys, k => Assert.StartsWith(tenant + "/shard-", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Agents_group_kinds_and_time_filters_narrow_the_search()
    {
        var tenant = NewTenant();
        await Agent(tenant, "north").IngestAsync(Facts("north", "The warehouse stocks blue widgets."));
        await Agent(tenant, "south").IngestAsync(Facts("south", "The warehouse stocks blue widgets too."));
        await Cluster.Client.GetGrain<ITenantGuardGrain>(tenant).AddMemberAsync("team-south", "south");
        var query = "warehouse blue widgets";

        var all = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query })).Hits;
        Assert.Equal(["north", "south"], all.Select(h => h.Agent).Order(StringComparer.Ordinal));

        var named = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Agents = ["north"] })).Hits;
        Assert.Equal(["north"], named.Select(h => h.Agent));

        var group = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Group = "team-south" })).Hits;
        Assert.Equal(["south"], group.Select(h => h.Agent));

        Assert.Empty((await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Kinds = [MemoryItemKind.Note] })).Hits);
        Assert.Empty((await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, From = Start.AddDays(1) })).Hits);
        Assert.Equal(2, (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, From = Start, To = Start.AddDays(1) })).Hits.Count);

        await Assert.ThrowsAsync<MemoryInputException>(() => Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Group = "no-such-group" }));
        await Assert.ThrowsAsync<MemoryInputException>(() => Search(tenant).SearchAsync(new TenantSearchRequest { Query = " " }));
        await Assert.ThrowsAsync<MemoryInputException>(() => Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Limit = 0 }));
        await Assert.ThrowsAsync<MemoryInputException>(() => Search(tenant).SearchAsync(new TenantSearchRequest { Query = query, Agents = ["a/b"] }));
    }

    [Fact]
    public async Task A_forgotten_turn_is_gone_from_tenant_wide_search_and_from_the_shards_stored_state()
    {
        var tenant = NewTenant();
        var agent = Agent(tenant, "frank");
        var turns = Facts("frank", "My locker combination is 7731 at the gym.", "I walk the dog every morning.");
        await agent.IngestAsync(turns);
        var secret = turns[0].Id!;
        var key = Encoding.UTF8.GetBytes(ShardTable.ItemKey("frank", MemoryItemKind.Turn, secret));
        var found = await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "locker combination gym" });
        Assert.Equal(secret, found.Hits[0].Item.Id);
        Assert.True(Contains(await TenantIndexCluster.ShardBytesAsync(tenant), key), "the shards stored the turn's key before the forget");

        var result = await agent.ForgetTurnsAsync([secret]);

        // When the forget returns, the shards have forgotten too: no search, no timer involved.
        Assert.Equal([secret], result.ForgottenTurnIds);
        Assert.False(Contains(await TenantIndexCluster.ShardBytesAsync(tenant), key), "a shard's snapshot or journal still holds the forgotten turn");
        Assert.Equal(1, await CountAsync(tenant));
        var after = await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "locker combination gym", Limit = 10 });
        Assert.DoesNotContain(after.Hits, h => h.Item.Id == secret || h.Item.Text.Contains("7731", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_note_and_a_purged_agent_leave_the_shards()
    {
        var tenant = NewTenant();
        var agent = Agent(tenant, "nora");
        var note = await agent.AddNoteAsync(new NoteWrite { Subject = "nora", Text = "Nora is allergic to peanuts." });
        await Agent(tenant, "other").IngestAsync(Facts("other", "Peanuts are sold in the kiosk."));
        var hits = (await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "allergic peanuts", Kinds = [MemoryItemKind.Note] })).Hits;
        Assert.Equal(note.Note.Id, Assert.Single(hits).Item.Id);

        await agent.DeleteNoteAsync(note.Note.Id);
        var noteKey = Encoding.UTF8.GetBytes(ShardTable.ItemKey("nora", MemoryItemKind.Note, note.Note.Id));
        Assert.False(Contains(await TenantIndexCluster.ShardBytesAsync(tenant), noteKey));
        Assert.Empty((await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "allergic peanuts", Kinds = [MemoryItemKind.Note] })).Hits);

        await agent.IngestAsync(Facts("nora", "Nora parks in bay 14."));
        Assert.NotEmpty((await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "parks bay", Agents = ["nora"] })).Hits);
        Assert.True(await agent.PurgeAsync());

        Assert.False(Contains(await TenantIndexCluster.ShardBytesAsync(tenant), Encoding.UTF8.GetBytes("nora/")), "a shard still holds an item of the purged agent");
        Assert.Empty((await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "parks bay", Agents = ["nora"] })).Hits);
        Assert.Equal(1, await CountAsync(tenant)); // the other agent's turn stays
    }

    [Fact]
    public async Task Tenant_B_never_sees_tenant_A_even_with_the_same_agent_names()
    {
        var a = NewTenant();
        var b = NewTenant();
        var secretTurns = Facts("support", "The vault code for the safe is 4417.");
        await Agent(a, "support").IngestAsync(secretTurns);
        await Agent(b, "support").IngestAsync(Facts("support", "The cafeteria opens at nine."));

        var fromB = await Search(b).SearchAsync(new TenantSearchRequest { Query = "vault code safe", Limit = 10, Agents = ["support"] });
        var fromA = await Search(a).SearchAsync(new TenantSearchRequest { Query = "vault code safe", Limit = 10 });

        Assert.Contains(fromA.Hits, h => h.Item.Text.Contains("4417", StringComparison.Ordinal));
        Assert.NotEmpty(fromB.Hits); // B's own turn, the only thing B's shards hold
        Assert.All(fromB.Hits, h => Assert.DoesNotContain("4417", h.Item.Text, StringComparison.Ordinal));
        Assert.False(Contains(await TenantIndexCluster.ShardBytesAsync(b), Encoding.UTF8.GetBytes(secretTurns[0].Id!)));
        Assert.Equal(1, await CountAsync(b));
    }

    [Fact]
    public async Task An_agents_own_search_is_the_same_before_and_after_its_vectors_reach_the_shards()
    {
        var tenant = NewTenant();
        var agent = Agent(tenant, "same");
        await agent.IngestAsync(Facts("same", "Teal is my favourite colour.", "I live in Lisbon near the river.", "My cat is called Miso."));
        await Cluster.Client.GetGrain<IAgentVectorOutboxGrain>(tenant + "/same").FlushVectorOutboxAsync();
        var request = new SearchRequest { Query = "where do I live", Limit = 5 };
        var before = await agent.SearchAsync(request);

        await Search(tenant).SearchAsync(new TenantSearchRequest { Query = "where do I live" });
        await Eventually.TrueAsync(async () => await CountAsync(tenant) == 3, "the shards holding the agent's turns");
        var after = await agent.SearchAsync(request);

        Assert.Equal(
            before.Select(h => (h.Item.Id, h.Item.Score, h.LexicalRank, h.DenseRank)),
            after.Select(h => (h.Item.Id, h.Item.Score, h.LexicalRank, h.DenseRank)));
    }

    [Fact]
    public async Task A_shard_that_forgets_its_last_item_stores_none_of_it_and_reloads_empty()
    {
        var tenant = NewTenant();
        var shard = Cluster.Client.GetGrain<IVectorShardGrain>(tenant + "/shard-0");
        var vector = Enumerable.Range(0, 8).Select(i => (float)Math.Sin(i + 1)).ToArray();
        await shard.UpsertAsync([new VectorShardEntry("a/turn/only-one", vector, "a", "turn", Start)]);
        await shard.DeleteAsync(["a/turn/only-one"]); // a plain delete leaves the upsert in the journal
        await shard.UpsertAsync([new VectorShardEntry("a/turn/only-one", vector, "a", "turn", Start)]);

        Assert.Equal(1, await shard.ForgetAsync(["a/turn/only-one"]));

        var stored = await TenantIndexCluster.ShardBytesAsync(tenant);
        Assert.False(Contains(stored, Encoding.UTF8.GetBytes("only-one")));
        await Cluster.Client.GetGrain<global::Orleans.Runtime.IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(0, await shard.CountAsync());
        Assert.Empty(await shard.SearchAsync(vector, 5));
    }

    internal static string NewTenant() => "t" + Guid.NewGuid().ToString("N")[..12];

    internal static IReadOnlyList<TurnInput> Facts(string agent, params string[] texts) =>
        texts.Select((text, i) => new TurnInput
        {
            Id = $"{agent}-{Guid.NewGuid():N}"[..(agent.Length + 13)],
            SessionId = "s1",
            Speaker = "user",
            Role = TurnRole.User,
            Text = text,
            Timestamp = Start.AddMinutes(i),
        }).ToList();

    internal static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private IAgentMemoryGrain Agent(string tenant, string name) => Cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);

    private ITenantSearchGrain Search(string tenant) => Cluster.Client.GetGrain<ITenantSearchGrain>(tenant);

    private ITenantIndexGrain Index(string tenant) => Cluster.Client.GetGrain<ITenantIndexGrain>(tenant);

    private async Task<int> CountAsync(string tenant) =>
        (await Task.WhenAll(Enumerable.Range(0, TenantIndexCluster.Shards).Select(n => Cluster.Client.GetGrain<IVectorShardGrain>($"{tenant}/shard-{n}").CountAsync()))).Sum();

    /// <summary>One two-silo cluster for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TenantIndexCluster.StartAsync();

        public async Task DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>The tenant index's test classes run one after the other and after the rest (their clusters share the
/// process-wide store with the other classes' clusters, and the machine's two cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TenantIndexTestGroup
{
    public const string Name = "tenant-index";
}
