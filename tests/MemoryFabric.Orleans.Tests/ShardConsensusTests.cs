using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Retrieval;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>Retrieval-time consensus of a relation group through the tenant's shards
/// (<see cref="TenantIndexOptions.ConsensusThroughShards"/>, <see cref="ShardConsensusPeers"/>) against today's path (the
/// claims published to the tenant's guard grain), on one two-silo cluster whose outboxes ship only when asked. Each
/// scenario runs in a tenant of its own with the option off, then on; in the run with it on, the guard grain's copy of
/// the peers' claims is withdrawn first, so only the shards can bring them.</summary>
[Collection(TenantIndexTestGroup.Name)]
public sealed class ShardConsensusTests(ShardConsensusTests.Fixture fixture) : IClassFixture<ShardConsensusTests.Fixture>
{
    private const string Group = "household";
    private const string Crm = "crm";         // knows Caroline from a tool (a weak source)
    private const string Witness = "witness"; // heard Caroline herself (trusted)
    private const string Outsider = "outsider";

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_weak_note_contradicting_a_peer_is_quarantined_through_the_shards_as_through_the_guard_grain()
    {
        async Task<IReadOnlyList<QuarantineEntry>> RunAsync(bool throughShards)
        {
            var tenant = await NewTenantAsync(throughShards);
            await AddNoteAsync(tenant, Witness, Trusted("Seattle"));
            await AddNoteAsync(tenant, Witness, new NoteWrite { Text = "The garage door code is 4411.", Subject = "garage", Attribute = "code", Value = "4411" });
            await JoinAsync(tenant, Witness, Crm);
            await ShardsOnlyAsync(tenant, throughShards, Witness);
            await AddNoteAsync(tenant, Crm, Weak("Denver"));
            return await ScreenAsync(tenant, Crm);
        }

        var guard = await RunAsync(throughShards: false);
        var shards = await RunAsync(throughShards: true);

        var entry = Assert.Single(shards);
        Assert.Equal(AgentMemory.ConsensusDetector, entry.Detector);
        Assert.Contains("Denver", entry.Text, StringComparison.Ordinal);
        Assert.Contains("contradicts 'Seattle' backed by 1 trusted source(s) including agent(s) witness of its relation group", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdicts(guard), Verdicts(shards));
    }

    [Fact]
    public async Task A_weak_note_a_peer_corroborates_is_kept_through_the_shards_as_through_the_guard_grain()
    {
        // The CRM agent's own trusted note says Portland: alone, it would flag the tool's Seattle; the witness backs it.
        async Task<(IReadOnlyList<QuarantineEntry> Entries, string Hits)> RunAsync(bool throughShards)
        {
            var tenant = await NewTenantAsync(throughShards);
            await AddNoteAsync(tenant, Witness, Trusted("Seattle"));
            await AddNoteAsync(tenant, Crm, Trusted("Portland"));
            await JoinAsync(tenant, Witness, Crm);
            await ShardsOnlyAsync(tenant, throughShards, Witness);
            await AddNoteAsync(tenant, Crm, Weak("Seattle"));
            var entries = await ScreenAsync(tenant, Crm);
            return (entries, await HitsAsync(tenant, Crm));
        }

        var guard = await RunAsync(throughShards: false);
        var shards = await RunAsync(throughShards: true);

        Assert.Empty(shards.Entries);
        Assert.Contains("Caroline lives in Seattle (a tool says).", shards.Hits, StringComparison.Ordinal);
        Assert.Equal(Verdicts(guard.Entries), Verdicts(shards.Entries));
    }

    [Fact]
    public async Task An_agent_outside_the_group_never_contributes_through_the_shards()
    {
        // The outsider's trusted Seattle would corroborate the tool's Seattle; only a group member may. The group's
        // other member holds nothing about Caroline, so the shards are searched (with the group as the filter).
        async Task<IReadOnlyList<QuarantineEntry>> RunAsync(bool throughShards)
        {
            var tenant = await NewTenantAsync(throughShards);
            await AddNoteAsync(tenant, Outsider, Trusted("Seattle"));
            await AddNoteAsync(tenant, Witness, new NoteWrite { Text = "Caroline's cat is called Miso.", Subject = "Caroline", Attribute = "cat", Value = "Miso" });
            await AddNoteAsync(tenant, Crm, Trusted("Portland"));
            await JoinAsync(tenant, Witness, Crm);
            await ShardsOnlyAsync(tenant, throughShards, Witness, Outsider);
            await AddNoteAsync(tenant, Crm, Weak("Seattle"));
            return await ScreenAsync(tenant, Crm);
        }

        var guard = await RunAsync(throughShards: false);
        var shards = await RunAsync(throughShards: true);

        var entry = Assert.Single(shards);
        Assert.Contains("Seattle", entry.Text, StringComparison.Ordinal);
        Assert.Contains("contradicts 'Portland' backed by 1 trusted source(s)", entry.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Outsider, entry.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Witness, entry.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdicts(guard), Verdicts(shards));
    }

    [Fact]
    public async Task A_peer_whose_changes_the_shards_lack_yet_is_asked_directly()
    {
        // Read-after-write: the witness's note is not shipped (the outbox ships only when asked) and the tenant index
        // lists the witness as pending; its claims still count, at once.
        var tenant = await NewTenantAsync(throughShards: true);
        await JoinAsync(tenant, Witness, Crm);
        await AddNoteAsync(tenant, Witness, Trusted("Seattle"));
        await Cluster.Client.GetGrain<ITenantGuardGrain>(tenant).PublishClaimsAsync(Witness, []);
        Assert.Contains(Witness, await Cluster.Client.GetGrain<ITenantIndexGrain>(tenant).GetPendingAgentsAsync());
        await AddNoteAsync(tenant, Crm, Weak("Denver"));

        var entry = Assert.Single(await ScreenAsync(tenant, Crm));
        Assert.Contains("contradicts 'Seattle'", entry.Reason, StringComparison.Ordinal);
        Assert.Contains(Witness, entry.Reason, StringComparison.Ordinal);
    }

    // A fresh tenant, with the option set on every silo for what follows.
    private Task<string> NewTenantAsync(bool throughShards)
    {
        TenantIndexCluster.SharedOptions.ConsensusThroughShards = throughShards;
        return Task.FromResult("cons" + Guid.NewGuid().ToString("N")[..10]);
    }

    // With the shards: the named agents' changes shipped (they leave the pending list) and the guard grain's copy of
    // their claims withdrawn, so that whatever they back can only come through the shards.
    private async Task ShardsOnlyAsync(string tenant, bool throughShards, params string[] agents)
    {
        if (!throughShards)
        {
            return;
        }

        var guard = Cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        foreach (var agent in agents)
        {
            await Cluster.Client.GetGrain<IAgentVectorOutboxGrain>(tenant + "/" + agent).FlushVectorOutboxAsync();
            await guard.PublishClaimsAsync(agent, []);
        }

        Assert.Empty((await Cluster.Client.GetGrain<ITenantIndexGrain>(tenant).GetPendingAgentsAsync()).Intersect(agents));

        Assert.Empty(await guard.GetPeerClaimsAsync(Crm, ["Caroline"]));
    }

    private static NoteWrite Trusted(string city) => new() { Text = $"Caroline lives in {city}.", Subject = "Caroline", Attribute = "home", Value = city };

    private static NoteWrite Weak(string city) => new()
    {
        Text = $"Caroline lives in {city} (a tool says).",
        Subject = "Caroline",
        Attribute = "home",
        Value = city,
        Source = SourceKind.Tool,
        Trust = 0.2,
    };

    private Task AddNoteAsync(string tenant, string agent, NoteWrite note) => Agent(tenant, agent).AddNoteAsync(note);

    private async Task JoinAsync(string tenant, params string[] agents)
    {
        var guard = Cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        foreach (var agent in agents)
        {
            await guard.AddMemberAsync(Group, agent);
        }

        foreach (var agent in agents)
        {
            await Agent(tenant, agent).RefreshGuardAsync(); // the policy now names the group; the claims are published
        }
    }

    // A search that retrieves the weak note (the guard screens it), then the quarantine.
    private async Task<IReadOnlyList<QuarantineEntry>> ScreenAsync(string tenant, string agent)
    {
        await HitsAsync(tenant, agent);
        return await Agent(tenant, agent).GetQuarantineAsync();
    }

    private async Task<string> HitsAsync(string tenant, string agent) =>
        string.Join("\n", (await Agent(tenant, agent).SearchAsync(new SearchRequest { Query = "Where does Caroline live? Seattle Denver Portland", Limit = 20 }))
            .Select(h => h.Item.Text));

    private static string[] Verdicts(IReadOnlyList<QuarantineEntry> entries) =>
        [.. entries.Select(e => $"{e.Kind} {e.Text} | {e.Detector} | {e.Reason}").Order(StringComparer.Ordinal)];

    private IAgentMemoryGrain Agent(string tenant, string name) => Cluster.Client.GetGrain<IAgentMemoryGrain>(tenant + "/" + name);

    /// <summary>The cluster: the tenant index on, outboxes shipping only when asked (a flush, a tenant-wide search),
    /// the guard on with its defaults, one options object for both silos
    /// (<see cref="TenantIndexCluster.SharedOptions"/>).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal TestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TenantIndexCluster.StartWithSharedOptionsAsync();

        public async Task DisposeAsync()
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}
