using MemoryFabric.Api;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Retrieval;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Large agents (<see cref="TenantIndexOptions.LargeAgentTurnVectors"/>): past the threshold an agent drops the
/// turn vectors its tenant's shards acknowledged and searches its turns through them, with the results it gave while
/// it held them; the offloaded turns stay offloaded across a deactivation, a forgotten one is never returned, and an
/// agent below the threshold keeps everything. One single-silo cluster whose outboxes ship only when asked.</summary>
[Collection(TenantIndexTestGroup.Name)]
public sealed class TenantIndexLargeAgentTests : IAsyncLifetime
{
    private const int Threshold = 40;

    private static readonly string[] Names = ["Ada", "Bruno", "Chloe", "Dmitri", "Esme", "Farid", "Greta", "Hiro"];
    private static readonly string[] Things = ["kayak", "telescope", "violin", "bonsai", "sourdough starter", "drone", "loom", "chessboard", "beehive", "sailboat"];
    private static readonly string[] Places = ["Lisbon", "Oslo", "Nairobi", "Quito", "Hanoi", "Tbilisi", "Perth", "Montreal", "Kyoto"];

    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        TenantIndexCluster.LargeAgentOptions.LargeAgentTurnVectors = 0;
        _cluster = await TenantIndexCluster.StartForLargeAgentsAsync();
    }

    public async Task DisposeAsync()
    {
        TenantIndexCluster.LargeAgentOptions.LargeAgentTurnVectors = 0;
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_large_agent_searches_its_offloaded_turns_through_the_shards_with_the_same_results()
    {
        var tenant = TenantIndexTests.NewTenant();
        var big = Agent(tenant, "big");
        var small = Agent(tenant, "small");
        var turns = Statements(60);
        await big.IngestAsync(TenantIndexTests.Facts("big", [.. turns]));
        await small.IngestAsync(TenantIndexTests.Facts("small", [.. turns.Take(Threshold / 2)]));
        await Outbox(big).FlushVectorOutboxAsync();
        await Outbox(small).FlushVectorOutboxAsync();
        Assert.Equal(0, (await big.GetStatisticsAsync()).OffloadedTurnVectors); // the threshold is off so far
        var held = await SearchesAsync(big);

        TenantIndexCluster.LargeAgentOptions.LargeAgentTurnVectors = Threshold;
        await Outbox(big).FlushVectorOutboxAsync(); // nothing to ship: the acknowledged turn vectors leave the activation
        await Outbox(small).FlushVectorOutboxAsync();

        Assert.Equal(60, (await big.GetStatisticsAsync()).OffloadedTurnVectors);
        Assert.Equal(0, (await small.GetStatisticsAsync()).OffloadedTurnVectors); // below the threshold: keeps its own
        Assert.Equal(held, await SearchesAsync(big));

        await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var stats = await big.GetStatisticsAsync();
        Assert.Equal(60, stats.OffloadedTurnVectors); // the snapshot lists them: not embedded again
        Assert.Equal(0, stats.PendingEmbeddings);
        Assert.Equal(held, await SearchesAsync(big));
    }

    [Fact]
    public async Task A_forgotten_offloaded_turn_is_never_returned_and_new_turns_are_searched_before_the_shards_hold_them()
    {
        TenantIndexCluster.LargeAgentOptions.LargeAgentTurnVectors = Threshold;
        var tenant = TenantIndexTests.NewTenant();
        var big = Agent(tenant, "big");
        var turns = Statements(50);
        await big.IngestAsync(TenantIndexTests.Facts("big", [.. turns]));
        await Outbox(big).FlushVectorOutboxAsync();
        Assert.Equal(50, (await big.GetStatisticsAsync()).OffloadedTurnVectors);
        var victim = (await big.GetTurnsAsync(null))[17];

        await big.ForgetTurnsAsync([victim.Id]);

        var hits = await big.SearchAsync(new SearchRequest { Query = victim.Text, Limit = 50 });
        Assert.DoesNotContain(hits, h => h.Item.Id == victim.Id);
        await Outbox(big).FlushVectorOutboxAsync(); // the turn after it was indexed anew (it may have answered it): shipped, offloaded
        Assert.Equal(49, (await big.GetStatisticsAsync()).OffloadedTurnVectors);
        Assert.DoesNotContain(await big.SearchAsync(new SearchRequest { Query = victim.Text, Limit = 50 }), h => h.Item.Id == victim.Id);

        // A new turn waits in the activation (not yet shipped): the merged search finds it first, with its dense rank.
        var fresh = "Zelda keeps a harpsichord in Reykjavik, behind the lighthouse.";
        await big.IngestAsync(TenantIndexTests.Facts("big", fresh));
        var top = (await big.SearchAsync(new SearchRequest { Query = fresh, Limit = 5 }))[0];
        Assert.EndsWith(fresh, top.Item.Text, StringComparison.Ordinal);
        Assert.Equal(1, top.DenseRank);
    }

    // For a sample of the turns: the ids and dense ranks of the top ten hits of a search for the turn's text.
    private static async Task<string> SearchesAsync(IAgentMemoryGrain agent)
    {
        var turns = await agent.GetTurnsAsync(null);
        var lines = new List<string>();
        foreach (var turn in turns.Where((_, i) => i % 6 == 0))
        {
            var hits = await agent.SearchAsync(new SearchRequest { Query = turn.Text, Limit = 10, Kinds = [MemoryItemKind.Turn] });
            Assert.Equal(turn.Id, hits[0].Item.Id);
            Assert.Equal(1, hits[0].DenseRank);
            lines.Add(string.Join(' ', hits.Select(h => $"{h.Item.Id}:{h.DenseRank}")));
        }

        return string.Join('\n', lines);
    }

    private static List<string> Statements(int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{Names[i % Names.Length]} keeps a {Things[(i / Names.Length) % Things.Length]} in {Places[(i * 7) % Places.Length]}, item {i}.")];

    private IAgentMemoryGrain Agent(string tenant, string name) => _cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);

    private IAgentVectorOutboxGrain Outbox(IAgentMemoryGrain agent) => _cluster.Client.GetGrain<IAgentVectorOutboxGrain>(agent.GetPrimaryKeyString());
}
