using System.Text;
using MemoryFabric.Api;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Orleans.VectorShards;
using MemoryFabric.Retrieval;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The vector outbox's incremental flushes and the tenant index rebuild: a flush ships what changed since the
/// last one (the memory's dense change log), not the agent's size; a new activation compares everything once and
/// misses nothing; <see cref="TenantReindex"/> restores shards that lost their items. One single-silo cluster for the
/// class, the grains' outbox timer off; the outbox under test ships to the cluster's real shards.</summary>
[Collection(TenantIndexTestGroup.Name)]
public sealed class TenantIndexIncrementalTests : IAsyncLifetime
{
    private const int BigAgentTurns = 300;

    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TenantIndexCluster.StartWithoutTimerAsync(silos: 1);

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task After_the_first_flush_a_new_turn_on_a_big_agent_ships_exactly_that_item()
    {
        var tenant = TenantIndexTests.NewTenant();
        var memory = await BigMemoryAsync("big");
        var outbox = Outbox(tenant, "big");

        Assert.True(await outbox.FlushAsync(memory, forget: false, CancellationToken.None));
        Assert.Equal(new VectorOutboxFlush(true, BigAgentTurns, 0), outbox.LastFlush);
        Assert.True(await outbox.FlushAsync(memory, forget: false, CancellationToken.None));
        Assert.Equal(new VectorOutboxFlush(false, 0, 0), outbox.LastFlush); // nothing changed: nothing compared, nothing sent

        var turn = TenantIndexTests.Facts("big", "The new badge reader is at the north entrance.");
        await memory.IngestAsync(turn);
        Assert.False(await outbox.FlushAsync(memory, forget: false, CancellationToken.None)); // its vector is not there yet
        Assert.Equal(new VectorOutboxFlush(false, 0, 0), outbox.LastFlush);
        await memory.EmbedPendingAsync(100);

        Assert.True(await outbox.FlushAsync(memory, forget: false, CancellationToken.None));
        Assert.Equal(new VectorOutboxFlush(false, 1, 0), outbox.LastFlush);
        Assert.Equal(BigAgentTurns + 1, await CountAsync(tenant));
    }

    [Fact]
    public async Task A_forget_between_flushes_is_shipped_as_a_forget_and_leaves_the_shards_stored_state()
    {
        var tenant = TenantIndexTests.NewTenant();
        var memory = await BigMemoryAsync("forgetful");
        var outbox = Outbox(tenant, "forgetful");
        await outbox.FlushAsync(memory, forget: false, CancellationToken.None);
        var victim = (await memory.GetTurnsAsync())[7].Id;
        var key = Encoding.UTF8.GetBytes(ShardTable.ItemKey("forgetful", MemoryItemKind.Turn, victim));
        Assert.True(TenantIndexTests.Contains(await TenantIndexCluster.ShardBytesAsync(tenant), key));

        await memory.ForgetTurnsAsync([victim]);
        await outbox.FlushAsync(memory, forget: true, CancellationToken.None);

        Assert.Equal(new VectorOutboxFlush(false, 0, 1), outbox.LastFlush);
        Assert.Equal(BigAgentTurns - 1, await CountAsync(tenant));
        Assert.False(TenantIndexTests.Contains(await TenantIndexCluster.ShardBytesAsync(tenant), key), "a shard's stored state still holds the forgotten turn");
    }

    [Fact]
    public async Task A_new_activation_compares_everything_once_and_misses_neither_a_write_nor_a_forget_made_meanwhile()
    {
        var tenant = TenantIndexTests.NewTenant();
        var memory = await BigMemoryAsync("phoenix");
        var first = Outbox(tenant, "phoenix");
        await first.FlushAsync(memory, forget: false, CancellationToken.None);
        await first.CloseAsync(CancellationToken.None); // deactivated: the acknowledgements are stored

        // Changes the first activation never shipped (it crashed before its flush, say).
        var gone = (await memory.GetTurnsAsync())[3].Id;
        await memory.ForgetTurnsAsync([gone]);
        await memory.IngestAsync(TenantIndexTests.Facts("phoenix", "The fire drill is on Thursday at ten."));
        await memory.EmbedPendingAsync(100);

        var second = Outbox(tenant, "phoenix");
        Assert.True(await second.FlushAsync(memory, forget: false, CancellationToken.None));

        Assert.Equal(new VectorOutboxFlush(true, 1, 1), second.LastFlush); // only the difference: the ledger was stored
        Assert.Equal(BigAgentTurns, await CountAsync(tenant));
        await second.FlushAsync(memory, forget: false, CancellationToken.None);
        Assert.Equal(new VectorOutboxFlush(false, 0, 0), second.LastFlush);
    }

    [Fact]
    public async Task A_memory_restored_from_its_snapshot_ships_nothing_its_shards_hold()
    {
        var tenant = TenantIndexTests.NewTenant();
        var memory = await BigMemoryAsync("lazarus");
        var first = Outbox(tenant, "lazarus");
        await first.FlushAsync(memory, forget: false, CancellationToken.None);
        await first.CloseAsync(CancellationToken.None);

        // The next activation restores the snapshot: its vectors are the stored int8 codes, decoded.
        var restored = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, TimeProvider.System, new HashingEmbeddingGenerator(64));
        restored.RestoreSnapshot(memory.CreateSnapshot());
        var second = Outbox(tenant, "lazarus");
        Assert.True(await second.FlushAsync(restored, forget: false, CancellationToken.None));

        Assert.Equal(new VectorOutboxFlush(true, 0, 0), second.LastFlush); // the shards hold these vectors already
        Assert.Equal(BigAgentTurns, await CountAsync(tenant));
    }

    [Fact]
    public async Task A_crash_before_the_acknowledgements_were_stored_sends_again_and_loses_no_delete()
    {
        var tenant = TenantIndexTests.NewTenant();
        var memory = await BigMemoryAsync("crashy");
        var first = Outbox(tenant, "crashy");
        await first.FlushAsync(memory, forget: false, CancellationToken.None); // the keys are written ahead; acks only buffered
        var gone = (await memory.GetTurnsAsync())[0].Id;
        await memory.ForgetTurnsAsync([gone]);

        var second = Outbox(tenant, "crashy"); // no CloseAsync: the first activation died
        await second.FlushAsync(memory, forget: false, CancellationToken.None);

        Assert.True(second.LastFlush.Full);
        Assert.Equal(1, second.LastFlush.Removals); // the written-ahead key is in the ledger: the delete is not missed
        Assert.Equal(BigAgentTurns - 1, await CountAsync(tenant));
    }

    [Fact]
    public async Task Reindex_restores_tenant_wide_search_after_a_shard_lost_its_items()
    {
        var tenant = TenantIndexTests.NewTenant();
        var written = 0;
        for (var i = 0; i < 5; i++)
        {
            var name = "agent-" + i;
            written += (await Agent(tenant, name).IngestAsync(TenantIndexTests.Facts(name, $"Agent {i} parks in bay {40 + i}.", $"Agent {i} drinks mint tea."))).StoredTurnIds.Count;
        }

        var search = _cluster.Client.GetGrain<ITenantSearchGrain>(tenant);
        var request = new TenantSearchRequest { Query = "parks in bay", Limit = 20 };
        var before = (await search.SearchAsync(request)).Hits.Select(h => (h.Agent, h.Item.Id)).Order().ToList();
        Assert.Equal(written, before.Count);
        Assert.Equal(written, await CountAsync(tenant));
        foreach (var n in Enumerable.Range(0, TenantIndexCluster.Shards))
        {
            await _cluster.Client.GetGrain<IVectorShardGrain>($"{tenant}/shard-{n}").ClearAsync(); // the index is lost
        }

        Assert.Empty((await search.SearchAsync(request)).Hits);

        var lines = new List<TenantReindexProgress>();
        var final = await TenantReindex.RunAsync(_cluster.Client, tenant, p => { lines.Add(p); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(new TenantReindexProgress(tenant, 5, 5, written), final);
        Assert.Equal(new TenantReindexProgress(tenant, 0, 5, 0), lines[0]);
        Assert.Equal(final, lines[^1]);
        Assert.Equal(written, await CountAsync(tenant));
        Assert.Equal(before, (await search.SearchAsync(request)).Hits.Select(h => (h.Agent, h.Item.Id)).Order().ToList());
    }

    private static async Task<AgentMemory> BigMemoryAsync(string agent)
    {
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, TimeProvider.System, new HashingEmbeddingGenerator(64));
        var texts = Enumerable.Range(0, BigAgentTurns).Select(i => $"Fact number {i}: the meeting room {i % 17} has {i % 9} chairs.").ToArray();
        await memory.IngestAsync(TenantIndexTests.Facts(agent, texts));
        while (await memory.EmbedPendingAsync(128) > 0)
        {
        }

        return memory;
    }

    private VectorOutbox Outbox(string tenant, string agent) => new(_cluster.Client, SharedStateStore.Instance, tenant, agent, metrics: null);

    private IAgentMemoryGrain Agent(string tenant, string name) => _cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);

    private async Task<int> CountAsync(string tenant) =>
        (await Task.WhenAll(Enumerable.Range(0, TenantIndexCluster.Shards).Select(n => _cluster.Client.GetGrain<IVectorShardGrain>($"{tenant}/shard-{n}").CountAsync()))).Sum();
}
