using System.Net;
using MemoryFabric.Api;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Orleans.Agents.Catalog;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary><see cref="IMemoryFabricClient.ListAgentsAsync"/> over the Orleans client SDK, on a two-silo cluster whose
/// silos share one store (as a cluster's silos share their blob container): agents written through either silo are
/// listed from the store, by their cards, without activating them.</summary>
public sealed class AgentListTests : IAsyncLifetime
{
    private static readonly InMemoryActorStateStore Store = new();

    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
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
    public async Task Agents_are_listed_in_pages_from_their_cards_without_being_activated()
    {
        var tenant = Tenant();
        var memory = new OrleansMemoryFabricClient(_cluster.Client, tenant);
        var turns = new Dictionary<string, int>(StringComparer.Ordinal) { ["carol"] = 1, ["alice"] = 3, ["bob"] = 2, ["dave"] = 5, ["Eve"] = 4, ["frank"] = 1, ["al"] = 2 };
        foreach (var (agent, count) in turns)
        {
            await memory.IngestAsync(agent, Enumerable.Range(0, count).Select(i => Turns.One($"t{i}", $"Turn {i} of {agent} about the garden.", minute: i)).ToList());
        }

        await DeactivateAllAsync(); // each agent writes its card as it goes
        Assert.Equal(0, await ActiveAgentsAsync(tenant));

        var listed = new List<AgentListItem>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await memory.ListAgentsAsync(cursor, limit: 3);
            Assert.InRange(page.Agents.Count, 1, 3);
            listed.AddRange(page.Agents);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(turns.Keys.Order(StringComparer.Ordinal), listed.Select(a => a.Agent));
        Assert.All(listed, a => Assert.Equal(turns[a.Agent], a.Turns));
        Assert.All(listed, a => Assert.True(a.DataBytes > 0 && a.LastActivity is not null, a.ToString()));
        Assert.Equal(0, await ActiveAgentsAsync(tenant)); // read from the store, not from the agents

        Assert.Equal(["al", "alice"], (await memory.ListAgentsAsync(prefix: "al")).Agents.Select(a => a.Agent));
    }

    [Fact]
    public async Task An_agent_without_a_card_is_asked_once_and_stores_one()
    {
        var tenant = Tenant();
        var memory = new OrleansMemoryFabricClient(_cluster.Client, tenant);
        await memory.IngestAsync("legacy", [Turns.One("t1", "I keep bees."), Turns.One("t2", "And two goats.", minute: 1)]);
        await DeactivateAllAsync();
        var card = new ActorId(AgentCard.TypeName, tenant + "/legacy");
        Assert.True((await Store.LoadAsync(card)).Exists);
        await Store.ClearAsync(card); // as an agent stored before cards existed

        var entry = Assert.Single((await memory.ListAgentsAsync()).Agents);
        Assert.Equal(("legacy", 2L), (entry.Agent, entry.Turns));
        Assert.Equal(1, await ActiveAgentsAsync(tenant));
        await DeactivateAllAsync();
        var stored = AgentCard.Decode((await Store.LoadAsync(card)).Snapshot!.Value.Span);
        Assert.Equal(2, stored?.Turns);
        Assert.Equal(2, Assert.Single((await memory.ListAgentsAsync()).Agents).Turns);
        Assert.Equal(0, await ActiveAgentsAsync(tenant));
    }

    [Fact]
    public async Task Bad_parameters_are_400s_and_a_tenant_sees_only_its_agents()
    {
        var tenant = Tenant();
        var memory = new OrleansMemoryFabricClient(_cluster.Client, tenant);
        var other = new OrleansMemoryFabricClient(_cluster.Client, tenant + "-x");
        await memory.IngestAsync("mine", [Turns.One("t1", "Mine.")]);
        await other.IngestAsync("theirs", [Turns.One("t1", "Theirs.")]);
        await other.IngestAsync("mine", [Turns.One("t1", "Theirs too."), Turns.One("t2", "Still theirs.", minute: 1)]);

        Assert.Equal(["mine"], (await memory.ListAgentsAsync()).Agents.Select(a => a.Agent));
        Assert.Equal(1, (await memory.ListAgentsAsync()).Agents[0].Turns);
        Assert.Equal(["mine", "theirs"], (await other.ListAgentsAsync()).Agents.Select(a => a.Agent));
        Assert.Empty((await memory.ListAgentsAsync(prefix: "theirs")).Agents);
        var theirCursor = (await other.ListAgentsAsync(limit: 1)).NextCursor;
        Assert.NotNull(theirCursor);
        Assert.Empty((await memory.ListAgentsAsync(theirCursor)).Agents); // after "mine" in the caller's own agents

        foreach (var (call, parameter) in new (Func<Task>, string)[]
        {
            (() => memory.ListAgentsAsync(limit: 0), "'limit'"),
            (() => memory.ListAgentsAsync(limit: 201), "'limit'"),
            (() => memory.ListAgentsAsync(cursor: "not a cursor"), "'cursor'"),
            (() => memory.ListAgentsAsync(prefix: "../" + tenant + "-x"), "'prefix'"),
        })
        {
            var e = await Assert.ThrowsAsync<MemoryFabricApiException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
            Assert.Equal("https://memoryfabric.dev/problems/invalid-request", e.Problem.Type);
            Assert.Contains(parameter, e.Problem.Detail, StringComparison.Ordinal);
        }

        await memory.DeleteAgentAsync("mine");
        Assert.Empty((await memory.ListAgentsAsync()).Agents);
        Assert.Equal(2, (await other.ListAgentsAsync()).Agents.Count);
    }

    private static string Tenant() => "list-" + Guid.NewGuid().ToString("N")[..8];

    private Task DeactivateAllAsync() => _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    // The tenant's agent grains active on any silo (every grain keyed tenant/... is an agent).
    private async Task<int> ActiveAgentsAsync(string tenant)
    {
        var grains = await _cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, null);
        return grains.Count(g => g.GrainId.Key.ToString()!.StartsWith(tenant + "/", StringComparison.Ordinal));
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryFabric()
            .UseMemoryFabricStore(_ => Store)
            .UseInMemoryReminderService();
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryFabricSerialization();
    }
}
