using System.Net;
using MemoryFabric.Api;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary><see cref="OrleansMemoryFabricClient.SearchTenantAsync"/>: the tenant-wide search through the tenant's
/// vector shards, from an Orleans client bound to a tenant (a one-silo cluster of its own, with a hashing embedder
/// for the agents and the search).</summary>
public sealed class TenantSearchClientTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

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
    public async Task Each_client_finds_its_own_tenants_fresh_writes_and_never_another_tenants()
    {
        var acme = new OrleansMemoryFabricClient(_cluster.Client, "acme");
        var globex = new OrleansMemoryFabricClient(_cluster.Client, "globex");
        await acme.IngestAsync("support", [Turns.One("a1", "The vault code for the safe is 4417.")]);
        await acme.IngestAsync("sales", [Turns.One("a2", "The spring campaign starts in April.")]);
        await globex.IngestAsync("support", [Turns.One("g1", "The cafeteria opens at nine.")]);

        var mine = await acme.SearchTenantAsync(new TenantSearchRequest { Query = "vault code safe", Limit = 5 });
        var theirs = await globex.SearchTenantAsync(new TenantSearchRequest { Query = "vault code safe", Limit = 5 });

        Assert.Equal(("support", "a1"), (mine.Hits[0].Agent, mine.Hits[0].Item.Id));
        Assert.Equal(["g1"], theirs.Hits.Select(h => h.Item.Id));
        var sales = await acme.SearchTenantAsync(new TenantSearchRequest { Query = "vault code safe", Agents = ["sales"] });
        Assert.Equal(["sales"], sales.Hits.Select(h => h.Agent).Distinct());
    }

    [Fact]
    public async Task An_invalid_request_is_a_400_before_any_grain_is_reached()
    {
        var (grains, recorder) = RecordingGrainFactory.Create();
        var memory = new OrleansMemoryFabricClient(grains, "acme");

        var blank = await Assert.ThrowsAsync<MemoryFabricApiException>(() => memory.SearchTenantAsync(new TenantSearchRequest { Query = " " }));
        OrleansClientTests.AssertProblem(blank, HttpStatusCode.BadRequest, "invalid-request", "'query'");
        var limit = await Assert.ThrowsAsync<MemoryFabricApiException>(() => memory.SearchTenantAsync(new TenantSearchRequest { Query = "q", Limit = 101 }));
        OrleansClientTests.AssertProblem(limit, HttpStatusCode.BadRequest, "invalid-request", "'limit'");
        await Assert.ThrowsAsync<ArgumentNullException>(() => memory.SearchTenantAsync(null!));
        Assert.Empty(recorder.Calls);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var embedder = new HashingEmbeddingGenerator(64);
            siloBuilder.AddMemoryFabric(o => o.UseInMemoryProviders = true);
            siloBuilder.Services.AddSingleton(new MemoryFabric.Orleans.TenantIndex.TenantIndexOptions { Enabled = true });
            siloBuilder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
            siloBuilder.Services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, TimeProvider.System, embedder)));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryFabricSerialization();
    }
}
