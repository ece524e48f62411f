using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Retrieval;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>State through deactivation, silo loss, migration and a whole-cluster restart, and consolidation on Orleans
/// reminders; each test runs its own two-silo cluster (grain storage shared by the process stands in for a durable
/// store).</summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await FabricCluster.StartAsync();

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var key = NewKey("deact");
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(5));
        await agent.AddNoteAsync(new Notes.NoteWrite { Subject = "user", Text = "Prefers teal." });

        await DeactivateAllAsync();
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        Assert.Null(await management.GetActivationAddress(agent));

        var stats = await agent.GetStatisticsAsync();
        Assert.Equal(5, stats.Turns);
        Assert.Contains(await agent.GetNotesAsync(false), n => n.Text == "Prefers teal.");
    }

    [Fact]
    public async Task Consolidation_runs_on_an_orleans_reminder_and_compacts_the_journal()
    {
        var key = NewKey("remind");
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(FabricCluster.ConsolidateAfterTurns + 2));
        Assert.Equal(0, (await agent.GetStatisticsAsync()).Episodes);

        // The pending-consolidation reminder is due one second later; Orleans delivers it as a turn of the grain.
        await Eventually.TrueAsync(async () => (await agent.GetStatisticsAsync()).Episodes > 0, "consolidation on the reminder", TimeSpan.FromSeconds(60));

        // The consolidation wrote a snapshot covering the journal, so the journal records are gone.
        await Eventually.TrueAsync(async () => await SharedStateStore.JournalCountAsync(AgentMemoryGrain.TypeName, key) == 0, "journal compaction");
        await DeactivateAllAsync();
        Assert.True((await agent.GetStatisticsAsync()).Episodes > 0);
    }

    [Fact]
    public async Task Acknowledged_turns_survive_the_loss_of_the_silo_hosting_the_agent()
    {
        var (agent, host) = await AgentOnSecondaryAsync("kill");
        var acknowledged = 1; // the turn that placed it
        for (var batch = 0; batch < 5; batch++)
        {
            var result = await agent.IngestAsync(Turns.Conversation(3, "s" + batch));
            acknowledged += result.StoredTurnIds.Count;
        }

        // No deactivation, no snapshot: the silo dies and only the journal has the turns.
        await _cluster.KillSiloAsync(host);
        var stats = await Eventually.SucceedsAsync(() => agent.GetStatisticsAsync(), "the agent on the surviving silo");
        Assert.Equal(acknowledged, stats.Turns);
        var survivor = await _cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(agent);
        Assert.NotEqual(host.SiloAddress, survivor);
        Assert.NotEmpty(await agent.SearchAsync(new SearchRequest { Query = "teal Lisbon" }));
    }

    [Fact]
    public async Task An_agent_migrated_to_another_silo_keeps_its_turns()
    {
        var key = NewKey("migrate");
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(6));
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var from = await management.GetActivationAddress(agent);
        var to = _cluster.GetActiveSilos().First(s => s.SiloAddress != from).SiloAddress;

        await _cluster.MigrateAsync(agent, to);
        await Eventually.TrueAsync(async () => await management.GetActivationAddress(agent) == to, "the migration");
        Assert.Equal(6, (await agent.GetStatisticsAsync()).Turns);
        await agent.IngestAsync(Turns.Conversation(2, "s2"));
        Assert.Equal(8, (await agent.GetStatisticsAsync()).Turns);
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_whole_cluster()
    {
        var key = NewKey("restart");
        await _cluster.Client.GetGrain<IAgentMemoryGrain>(key).IngestAsync(Turns.Conversation(4));
        var tenant = "r" + Guid.NewGuid().ToString("N")[..10];
        await _cluster.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey).CreateTenantAsync(tenant, null);
        await _cluster.Client.GetGrain<ITenantGuardGrain>(tenant).AddMemberAsync("g", "a");

        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        _cluster = await FabricCluster.StartAsync();

        Assert.Equal(4, (await _cluster.Client.GetGrain<IAgentMemoryGrain>(key).GetStatisticsAsync()).Turns);
        var tenants = await _cluster.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey).ListTenantsAsync();
        Assert.Contains(tenants, t => t.Id == tenant);
        Assert.Equal(["g"], (await _cluster.Client.GetGrain<ITenantGuardGrain>(tenant).GetPolicyAsync("a")).Groups);
    }

    [Fact]
    public async Task Purge_removes_the_state_and_the_reminders()
    {
        var key = NewKey("purge");
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(3));
        Assert.True(await agent.PurgeAsync());
        await Assert.ThrowsAsync<AgentNotFoundException>(() => agent.GetStatisticsAsync());
        Assert.False(await SharedStateStore.ExistsAsync(AgentMemoryGrain.TypeName, key));

        // A new life after the purge starts empty and is durable again.
        await agent.IngestAsync(Turns.Conversation(2, "again"));
        await DeactivateAllAsync();
        Assert.Equal(2, (await agent.GetStatisticsAsync()).Turns);
    }

    [Fact]
    public async Task A_vector_shard_survives_deactivation_from_its_snapshot_and_journal()
    {
        var shard = _cluster.Client.GetGrain<IVectorShardGrain>(NewKey("shard"));
        var random = new Random(3);
        var items = Enumerable.Range(0, VectorShardGrain.SnapshotAfterJournalEntries + 10)
            .Select(i => new VectorShardEntry("v" + i, Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()))
            .ToList();
        foreach (var item in items)
        {
            await shard.UpsertAsync([item]); // one journal entry each: a snapshot after 64, then a journal again
        }

        await DeactivateAllAsync();
        Assert.Equal(items.Count, await shard.CountAsync());
        Assert.Equal("v70", (await shard.SearchAsync(items[70].Vector, 1))[0].Key);
        Assert.Equal("v3", (await shard.SearchAsync(items[3].Vector, 1))[0].Key);
    }

    [Fact]
    public async Task A_vector_shard_lost_with_its_silo_comes_back_from_its_journal_alone()
    {
        // Keys of every length from 2 to 8 characters, so the vectors of the one journal entry start at every offset
        // modulo 4 (they are read in place on replay).
        var random = new Random(11);
        var items = Enumerable.Range(0, 40)
            .Select(i => new VectorShardEntry(
                "v" + new string('x', i % 7) + i,
                Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(),
                "agent-" + (i % 3),
                i % 2 == 0 ? "turn" : "note",
                null))
            .ToList();
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var secondary = _cluster.SecondarySilos[0];
        IVectorShardGrain? shard = null;
        string? key = null;
        for (var attempt = 0; attempt < 50 && shard is null; attempt++)
        {
            key = NewKey("shard-kill");
            var candidate = _cluster.Client.GetGrain<IVectorShardGrain>(key);
            await candidate.CountAsync();
            if (await management.GetActivationAddress(candidate) != secondary.SiloAddress)
            {
                await _cluster.MigrateAsync(candidate, secondary.SiloAddress); // empty yet: nothing to snapshot
            }

            if (await management.GetActivationAddress(candidate) == secondary.SiloAddress)
            {
                shard = candidate;
            }
        }

        Assert.NotNull(shard);
        Assert.Equal(items.Count, await shard.UpsertAsync(items));
        Assert.Equal(1, await SharedStateStore.JournalCountAsync(VectorShardGrain.TypeName, key!)); // one entry, no snapshot

        await _cluster.KillSiloAsync(secondary);
        Assert.Equal(items.Count, await Eventually.SucceedsAsync(() => shard.CountAsync(), "the shard on the surviving silo"));
        Assert.NotEqual(secondary.SiloAddress, await management.GetActivationAddress(shard));
        foreach (var item in items)
        {
            var hit = Assert.Single(await shard.SearchAsync(item.Vector, 1, efSearch: 64));
            Assert.Equal(item.Key, hit.Key);
            Assert.InRange(hit.Score, 0.99f, 1.01f);
        }

        var agentOne = await shard.SearchAsync(items[1].Vector, 40, efSearch: 64, new VectorShardFilter(AgentIds: ["agent-1"], Kinds: ["note"]));
        Assert.Equal(items.Where(i => i.AgentId == "agent-1" && i.Kind == "note").Select(i => i.Key).Order(), agentOne.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task A_quantized_vector_shard_answers_alike_before_and_after_reactivation_at_any_ef()
    {
        var shard = _cluster.Client.GetGrain<IVectorShardGrain>(NewKey("shard-q"));
        var random = new Random(5);
        var items = Enumerable.Range(0, 400)
            .Select(i => new VectorShardEntry("v" + i, Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()))
            .ToList();
        await shard.UpsertAsync(items);
        var queries = items.Take(20).Select(i => i.Vector).ToList();
        var before = new List<IReadOnlyList<VectorShardHit>>();
        foreach (var query in queries)
        {
            var wide = await shard.SearchAsync(query, 5, efSearch: 200);
            Assert.Equal(items[queries.IndexOf(query)].Key, wide[0].Key);
            Assert.InRange(wide[0].Score, 0.997f, 1.001f); // decoded int8 codes against the float32 query: within rounding
            Assert.Equal(5, (await shard.SearchAsync(query, 5, efSearch: 1)).Count); // at least k candidates
            before.Add(wide);
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => shard.SearchAsync(queries[0], 5, efSearch: 0));
        var written = await shard.GetStatisticsAsync();
        Assert.Equal((400, 0, VectorIndex.VectorStorage.Quantized, 1, 0L), (written.Count, written.Tombstones, written.VectorStorage, written.JournalEntries, written.SnapshotBytes));
        Assert.True(written.JournalBytes > 400 * 64 * sizeof(float), "the journal keeps the float32 vectors");
        Assert.True(written.ResidentBytes > 400 * 64, "the int8 codes at least");
        await DeactivateAllAsync();

        var reloaded = await shard.GetStatisticsAsync(); // from the snapshot written at deactivation: codes only
        Assert.Equal((400, 0, 0), (reloaded.Count, reloaded.JournalEntries, reloaded.JournalBytes));
        Assert.InRange(reloaded.SnapshotBytes, 400 * 64, 400 * 64 * sizeof(float));

        for (var q = 0; q < queries.Count; q++)
        {
            var after = await shard.SearchAsync(queries[q], 5, efSearch: 200);
            Assert.Equal(before[q].Select(h => h.Key), after.Select(h => h.Key));
            Assert.Equal(before[q].Select(h => h.Score), after.Select(h => h.Score));
        }
    }

    private static string NewKey(string name) => "acme/" + name + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task DeactivateAllAsync()
    {
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
    }

    // The primary silo holds the test cluster's membership table: find an agent activated on the other one.
    private async Task<(IAgentMemoryGrain Agent, SiloHandle Host)> AgentOnSecondaryAsync(string name)
    {
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var secondary = _cluster.SecondarySilos[0];
        for (var i = 0; i < 50; i++)
        {
            var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(NewKey(name));
            await agent.IngestAsync(Turns.Conversation(1, "first"));
            var address = await management.GetActivationAddress(agent);
            if (address == secondary.SiloAddress)
            {
                return (agent, secondary);
            }

            await _cluster.MigrateAsync(agent, secondary.SiloAddress);
            if (await management.GetActivationAddress(agent) == secondary.SiloAddress)
            {
                return (agent, secondary);
            }
        }

        throw new InvalidOperationException("No agent landed on the secondary silo.");
    }
}
