using System.Text.Json;
using MemoryFabric.Embeddings;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests;

/// <summary>What reads and guard publishes write: a one-silo cluster over a store that counts the bytes written.</summary>
public sealed class WriteAmplificationTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private TestCluster _cluster = null!;

    private static CountingActorStateStore Store => CountingActorStateStore.Instance;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_that_only_serves_reads_writes_nothing_at_deactivation()
    {
        var key = "wa" + Guid.NewGuid().ToString("N")[..8] + "/reader";
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(6));
        await agent.AddNoteAsync(new NoteWrite { Subject = "user", Text = "The user prefers teal and lives in Lisbon." });
        await agent.ConsolidateAsync();
        await DeactivateAllAsync(); // compacts everything the writes left into the snapshot
        var before = Store.BytesWritten(AgentMemoryGrain.TypeName, key);

        // Searches, and contexts that recall no note (verbatim history, or a budget the note does not fit).
        for (var i = 0; i < 5; i++)
        {
            await agent.SearchAsync(new SearchRequest { Query = "teal Lisbon", Limit = 10 });
            await agent.GetContextAsync(new ContextRequest { Query = "Where does the user live?", TokenBudget = 4000 });
        }

        await DeactivateAllAsync();
        Assert.Equal(0, Store.BytesWritten(AgentMemoryGrain.TypeName, key) - before);
    }

    [Fact]
    public async Task Recall_statistics_of_a_read_only_agent_cost_a_small_journal_entry_not_a_snapshot()
    {
        var key = "wa" + Guid.NewGuid().ToString("N")[..8] + "/recaller";
        var agent = _cluster.Client.GetGrain<IAgentMemoryGrain>(key);
        await agent.IngestAsync(Turns.Conversation(40));
        var note = (await agent.AddNoteAsync(new NoteWrite { Subject = "user", Text = "The user keeps honeybees in the back garden." })).Note;
        await agent.ConsolidateAsync();
        await DeactivateAllAsync();
        var snapshot = (await Store.Inner.LoadAsync(new ActorId(AgentMemoryGrain.TypeName, key))).Snapshot!.Value.Length;
        var before = Store.BytesWritten(AgentMemoryGrain.TypeName, key);

        var context = await agent.GetContextAsync(new ContextRequest { Query = "Who keeps honeybees?", TokenBudget = 60, PreferVerbatimWhenItFits = false });
        Assert.Contains(context.Items, i => i.Id == note.Id);
        await DeactivateAllAsync();

        var written = Store.BytesWritten(AgentMemoryGrain.TypeName, key) - before;
        output.WriteLine($"read-only deactivation after a recalling context: {written} bytes (snapshot: {snapshot} bytes)");
        Assert.InRange(written, 1, 128); // one recall record, against a snapshot of `snapshot` bytes
        Assert.True(snapshot > 20 * written, $"snapshot {snapshot} bytes, recall entry {written} bytes");
        Assert.Equal(1, (await agent.GetNoteAsync(note.Id))!.RecallCount); // replayed from the journal entry
        await DeactivateAllAsync();
        Assert.Equal(written, Store.BytesWritten(AgentMemoryGrain.TypeName, key) - before); // that activation only read
    }

    [Fact]
    public async Task A_publish_writes_only_the_publishing_agents_claims()
    {
        var small = await PublishCostAsync(otherAgents: 2);
        var large = await PublishCostAsync(otherAgents: 40);
        output.WriteLine($"one publish of 5 claims: {small} bytes beside 2 agents' claims, {large} bytes beside 40 agents'");
        Assert.True(small > 0);
        Assert.Equal(small, large);
    }

    [Fact]
    public async Task Guard_state_in_the_previous_layout_loads_and_is_moved_to_per_agent_records()
    {
        var tenant = "old" + Guid.NewGuid().ToString("N")[..8];
        var legacy = new TenantGuardState
        {
            Enabled = false,
            Groups = [new RelationGroup("team", ["a", "b"])],
            Claims = new(StringComparer.Ordinal)
            {
                ["a"] = [new ConsensusClaim("Lisbon office", "opens", "9am", 2)],
                ["b"] = [new ConsensusClaim("Lisbon office", "closes", "6pm", 1)],
            },
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(legacy, WebJson);
        Assert.Contains("\"claims\":{\"a\"", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal); // the old layout
        await Store.WriteSnapshotAsync(new ActorId(TenantGuardGrain.TypeName, tenant), bytes, 0, 0);

        var guard = _cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        Assert.False((await guard.GetSettingsAsync()).Enabled);
        var claims = await guard.GetPeerClaimsAsync("b", ["lisbon office"]);
        Assert.Equal(new ConsensusClaim("Lisbon office", "opens", "9am", 2) { Agent = "a" }, Assert.Single(claims));

        // Moved: one record per agent, and the state without claims.
        Assert.Equal([tenant + "/a", tenant + "/b"], await Store.ListKeysAsync(TenantGuardGrain.ClaimsTypeName, tenant + "/"));
        var state = await Store.LoadAsync(new ActorId(TenantGuardGrain.TypeName, tenant));
        Assert.DoesNotContain("claims", System.Text.Encoding.UTF8.GetString(state.Snapshot!.Value.Span), StringComparison.Ordinal);

        // And it survives a reactivation in the new layout.
        await DeactivateAllAsync();
        Assert.Single(await guard.GetPeerClaimsAsync("a", ["Lisbon office"]));
        Assert.Single(await guard.GetPeerClaimsAsync("b", ["Lisbon office"]));
    }

    // The bytes one agent's publish writes in a tenant whose other agents already share 50 claims each.
    private async Task<long> PublishCostAsync(int otherAgents)
    {
        var tenant = "pub" + Guid.NewGuid().ToString("N")[..8];
        var guard = _cluster.Client.GetGrain<ITenantGuardGrain>(tenant);
        for (var i = 0; i < otherAgents; i++)
        {
            await guard.AddMemberAsync("team", $"peer{i:D3}");
            await guard.PublishClaimsAsync($"peer{i:D3}", Claims($"peer{i:D3}", 50));
        }

        await guard.AddMemberAsync("team", "me");
        var before = Store.BytesWritten(TenantGuardGrain.ClaimsTypeName, tenant + "/") + Store.BytesWritten(TenantGuardGrain.TypeName, tenant);
        Assert.True(await guard.PublishClaimsAsync("me", Claims("me", 5)));
        var after = Store.BytesWritten(TenantGuardGrain.ClaimsTypeName, tenant + "/") + Store.BytesWritten(TenantGuardGrain.TypeName, tenant);
        Assert.Equal(5, (await guard.GetPeerClaimsAsync("peer000", ["me subject 0", "me subject 1", "me subject 2", "me subject 3", "me subject 4"])).Count);
        return after - before;
    }

    private static List<ConsensusClaim> Claims(string agent, int count) =>
        Enumerable.Range(0, count).Select(i => new ConsensusClaim($"{agent} subject {i}", "attribute", $"value {i}", 1 + (i % 3))).ToList();

    private async Task DeactivateAllAsync() =>
        await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryFabric(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.UseMemoryFabricStore(_ => CountingActorStateStore.Instance);
            siloBuilder.Services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(
                new AgentMemoryOptions(),
                TimeProvider.System,
                new HashingEmbeddingGenerator(64))));
            siloBuilder.Services.AddSingleton(new AgentMemoryGrainOptions
            {
                ConsolidateAfterTurns = 1000,
                ConsolidationPeriod = TimeSpan.FromHours(1),
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryFabricSerialization();
    }
}
