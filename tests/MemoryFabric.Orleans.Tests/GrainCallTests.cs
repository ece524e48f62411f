using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Calls through the grain interfaces on a two-silo test cluster: the same records and exceptions as in the
/// embedded silo, across silos (JSON for the fabric's records, Orleans' exception codec for its exceptions).</summary>
public sealed class GrainCallTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Ingest_then_search_through_the_agent_grain()
    {
        var agent = Cluster.Client.GetGrain<IAgentMemoryGrain>("acme/search-" + Guid.NewGuid().ToString("N")[..8]);
        var result = await agent.IngestAsync(Turns.Conversation(4));
        Assert.Equal(4, result.StoredTurnIds.Count);
        Assert.Empty(result.DuplicateTurnIds);

        var again = await agent.IngestAsync(Turns.Conversation(2));
        Assert.Equal(2, again.DuplicateTurnIds.Count);

        var hits = await agent.SearchAsync(new SearchRequest { Query = "favourite colour teal", Limit = 5 });
        Assert.NotEmpty(hits);
        Assert.Contains("teal", hits[0].Item.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, (await agent.GetStatisticsAsync()).Turns);
        Assert.Equal(4, (await agent.GetTurnsAsync("s1")).Count);
    }

    [Fact]
    public async Task The_fabric_exceptions_keep_their_type_across_silos()
    {
        var missing = Cluster.Client.GetGrain<IAgentMemoryGrain>("acme/nobody-" + Guid.NewGuid().ToString("N")[..8]);
        await Assert.ThrowsAsync<AgentNotFoundException>(() => missing.GetStatisticsAsync());

        var directory = Cluster.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        await directory.CreateTenantAsync(tenant, "Tenant");
        var e = await Assert.ThrowsAsync<TenantExistsException>(() => directory.CreateTenantAsync(tenant, "Again"));
        Assert.Contains(tenant, e.Message, StringComparison.Ordinal);
        var badTenant = await Assert.ThrowsAsync<MemoryInputException>(() => directory.CreateTenantAsync("Not Valid!", null));
        Assert.StartsWith("A tenant id is", badTenant.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemoryInputException>(() => directory.CreateScopedKeyAsync(tenant, "k", 2.0, null));
    }

    [Fact]
    public async Task The_callers_input_and_missing_item_errors_keep_their_type_and_message_across_silos()
    {
        // The project's own request exceptions are what the server maps to 400/404 (a plain ArgumentException or
        // KeyNotFoundException is a 500), so they must arrive as themselves, not as their base type or a fallback.
        var agent = Cluster.Client.GetGrain<IAgentMemoryGrain>("acme/typed-" + Guid.NewGuid().ToString("N")[..8]);
        await agent.IngestAsync(Turns.Conversation(2));

        var limit = await Assert.ThrowsAsync<MemoryInputException>(() => agent.SearchAsync(new SearchRequest { Query = "teal", Limit = 5000 }));
        Assert.Equal("The limit must be between 1 and 1000.", limit.Reason);
        var blank = await Assert.ThrowsAsync<MemoryInputException>(() => agent.IngestAsync([Turns.Conversation(1)[0] with { Id = "blank", Text = "  " }]));
        Assert.Contains("empty text", blank.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<MemoryItemNotFoundException>(() => agent.UpdateNoteAsync("n_nope", new Notes.NoteWrite { Text = "x", Subject = "y" }));
        Assert.Contains("n_nope", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemoryItemNotFoundException>(() => agent.DeleteNoteAsync("n_nope"));

        var guard = Cluster.Client.GetGrain<ITenantGuardGrain>("typed" + Guid.NewGuid().ToString("N")[..8]);
        await Assert.ThrowsAsync<MemoryInputException>(() => guard.AddMemberAsync("bad group", "alice"));
    }

    [Fact]
    public async Task The_tenant_directory_grain_creates_and_resolves_keys()
    {
        var directory = Cluster.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
        var tenant = "k" + Guid.NewGuid().ToString("N")[..10];
        await directory.CreateTenantAsync(tenant, null);
        var created = await directory.CreateKeyAsync(tenant, "ci");
        Assert.NotNull(created);
        var resolved = await directory.ResolveAsync(ApiKeys.Hash(created.Secret));
        Assert.Equal(tenant, resolved?.Tenant);
    }

    [Fact]
    public async Task The_agent_asks_its_tenant_guard_grain_for_its_policy()
    {
        var tenant = "g" + Guid.NewGuid().ToString("N")[..10];
        var guard = Cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        await guard.AddMemberAsync("support", "alice");
        await guard.AddMemberAsync("support", "bob");

        // The agent grain calls the guard grain (grain to grain) from its own turn.
        var alice = Cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/alice");
        await alice.IngestAsync(Turns.Conversation(2));
        var policy = await alice.RefreshGuardAsync();
        Assert.True(policy.Enabled);
        Assert.Equal(["support"], policy.Groups);

        await guard.SetEnabledAsync(false);
        Assert.False((await alice.RefreshGuardAsync()).Enabled);
    }

    [Fact]
    public async Task Peer_claims_published_by_one_agent_reach_another_through_the_guard_grain()
    {
        var tenant = "p" + Guid.NewGuid().ToString("N")[..10];
        var guard = Cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        await guard.AddMemberAsync("team", "a");
        await guard.AddMemberAsync("team", "b");
        Assert.True(await guard.PublishClaimsAsync("a", [new global::MemoryFabric.Guard.ConsensusClaim("Lisbon office", "opens", "9am", 2)]));

        var claims = await guard.GetPeerClaimsAsync("b", ["lisbon office"]);
        var claim = Assert.Single(claims);
        Assert.Equal("a", claim.Agent);
        Assert.Equal("9am", claim.Value);
    }

    [Fact]
    public async Task A_vector_shard_grain_adds_and_searches()
    {
        var shard = Cluster.Client.GetGrain<IVectorShardGrain>("acme/shard-" + Guid.NewGuid().ToString("N")[..8]);
        var random = new Random(7);
        var items = Enumerable.Range(0, 200).Select(i => new VectorShardEntry(
            "item-" + i,
            Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(),
            AgentId: i % 2 == 0 ? "even" : "odd")).ToList();
        Assert.Equal(200, await shard.UpsertAsync(items));

        var hits = await shard.SearchAsync(items[42].Vector, 3);
        Assert.Equal("item-42", hits[0].Key);
        Assert.InRange(hits[0].Score, 0.999f, 1.001f);

        var odd = await shard.SearchAsync(items[42].Vector, 5, new VectorShardFilter(AgentIds: ["odd"]));
        Assert.All(odd, h => Assert.True(int.Parse(h.Key["item-".Length..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1));

        Assert.Equal(1, await shard.DeleteAsync(["item-42", "missing"]));
        Assert.Equal(199, await shard.CountAsync());
        Assert.NotEqual("item-42", (await shard.SearchAsync(items[42].Vector, 1))[0].Key);
        await Assert.ThrowsAsync<ArgumentException>(() => shard.UpsertAsync([new VectorShardEntry("bad", new float[3])]));
    }
}
