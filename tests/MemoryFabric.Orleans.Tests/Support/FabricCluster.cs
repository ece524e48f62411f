using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>A multi-silo Orleans test cluster (in-process silos) hosting the fabric: grain storage shared by the
/// silos (<see cref="SharedGrainStorage"/>), in-memory reminders with a one-second minimum period, and agents that
/// consolidate after 10 turns.</summary>
internal static class FabricCluster
{
    public const int ConsolidateAfterTurns = 10;

    public static async Task<TestCluster> StartAsync(short silos = 2)
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryFabric(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.UseMemoryFabricStore(_ => SharedStateStore.Instance);
            siloBuilder.Services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(
                new AgentMemoryOptions { DeferEmbedding = true },
                TimeProvider.System,
                new HashingEmbeddingGenerator(64))));
            siloBuilder.Services.AddSingleton(new AgentMemoryGrainOptions
            {
                ConsolidateAfterTurns = ConsolidateAfterTurns,
                ConsolidationDelay = TimeSpan.FromSeconds(1),
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

/// <summary>One two-silo cluster for the tests of a class that don't stop silos.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await FabricCluster.StartAsync();

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
