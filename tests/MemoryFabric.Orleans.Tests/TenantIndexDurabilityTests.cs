using MemoryFabric.Api;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Orleans.VectorShards;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>The tenant index through the loss of a silo: a real kill of one of three in-process silos
/// (<see cref="TestCluster.KillSiloAsync"/>, no deactivation, no snapshot), with the outbox timer off, so the shards
/// hold exactly what flushes acknowledged and what the killed agent still owed must come from its outbox after it is
/// reactivated elsewhere.</summary>
[Collection(TenantIndexTestGroup.Name)]
public sealed class TenantIndexDurabilityTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TenantIndexCluster.StartWithoutTimerAsync(silos: 3);

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_silo_killed_loses_no_acknowledged_vector_and_the_outbox_resends_what_was_owed()
    {
        var tenant = TenantIndexTests.NewTenant();
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);

        // Agents spread over the silos; the silo that will die is the first secondary silo an agent lands on
        // (placement is not random: it prefers the silo the call arrives at, so no one silo is sure to get one).
        string? onVictim = null;
        SiloHandle? victim = null;
        var written = 0;
        for (var i = 0; i < 40 && (onVictim is null || i < 6); i++)
        {
            var name = "agent-" + i;
            var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);
            written += (await agent.IngestAsync(TenantIndexTests.Facts(name, $"Agent {i} keeps the spare keys in drawer {i}.", $"Agent {i} likes green tea."))).StoredTurnIds.Count;
            if (onVictim is null)
            {
                var address = await management.GetActivationAddress(agent);
                victim = _cluster.SecondarySilos.FirstOrDefault(silo => silo.SiloAddress == address);
                onVictim = victim is null ? null : name;
            }
        }

        Assert.NotNull(onVictim);
        Assert.NotNull(victim);
        var search = _cluster.Client.GetGrain<ITenantSearchGrain>(tenant);
        Assert.NotEmpty((await search.SearchAsync(new TenantSearchRequest { Query = "spare keys drawer" })).Hits); // flushes every agent
        Assert.Equal(written, await CountAsync(tenant));
        Assert.Empty(await _cluster.Client.GetGrain<ITenantIndexGrain>(tenant).GetPendingAgentsAsync());

        // Acknowledged by the agent, owed to the shards (no timer ships it), then the agent's silo dies.
        var owed = TenantIndexTests.Facts(onVictim, "The backup generator is behind the blue door.");
        await _cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + onVictim).IngestAsync(owed);
        Assert.Contains(onVictim, await _cluster.Client.GetGrain<ITenantIndexGrain>(tenant).GetPendingAgentsAsync());
        await _cluster.KillSiloAsync(victim);

        var hits = await Eventually.SucceedsAsync(
            () => search.SearchAsync(new TenantSearchRequest { Query = "backup generator blue door", Limit = 3 }), "a search after the silo's loss");
        Assert.Equal(onVictim, hits.Hits[0].Agent);
        Assert.Equal(owed[0].Id, hits.Hits[0].Item.Id);
        Assert.Equal(written + 1, await CountAsync(tenant)); // every acknowledged vector, and the one that was owed
        Assert.Empty(await _cluster.Client.GetGrain<ITenantIndexGrain>(tenant).GetPendingAgentsAsync());
    }

    private async Task<int> CountAsync(string tenant) =>
        (await Task.WhenAll(Enumerable.Range(0, TenantIndexCluster.Shards).Select(n => _cluster.Client.GetGrain<IVectorShardGrain>($"{tenant}/shard-{n}").CountAsync()))).Sum();
}
