using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Orleans.Grains;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>A two-silo cluster whose fabric state lives in Azurite's blobs: agents survive a restart of every silo
/// and the loss of the silo that hosted them.</summary>
public sealed class BlobClusterTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string ConnectionStringKey = "MemoryFabricTests:Azurite";

    [Fact]
    public async Task Agents_keep_their_acknowledged_turns_across_silo_loss_and_cluster_restart()
    {
        var key = "acme/blob-" + Guid.NewGuid().ToString("N")[..8];
        var cluster = await StartAsync(azurite.ConnectionString);
        try
        {
            var agent = cluster.Client.GetGrain<IAgentMemoryGrain>(key);
            await agent.IngestAsync(Conversation(4, "a"));
            var host = await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(agent);
            if (host == cluster.Primary!.SiloAddress)
            {
                await cluster.MigrateAsync(agent, cluster.SecondarySilos[0].SiloAddress);
            }

            await agent.IngestAsync(Conversation(3, "b"));
            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            Assert.Equal(7, (await RetryAsync(() => agent.GetStatisticsAsync())).Turns);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        var again = await StartAsync(azurite.ConnectionString);
        try
        {
            var agent = again.Client.GetGrain<IAgentMemoryGrain>(key);
            Assert.Equal(7, (await agent.GetStatisticsAsync()).Turns);

            // The periodic consolidation reminder registered by the first write outlived the cluster (blob reminders).
            var reminders = await ReadRemindersAsync(again, agent);
            Assert.Contains(AgentMemoryActor.ConsolidationReminder, reminders);
        }
        finally
        {
            await again.StopAllSilosAsync();
            await again.DisposeAsync();
        }
    }

    private static async Task<TestCluster> StartAsync(string connectionString)
    {
        var builder = new TestClusterBuilder(2);
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.Options.ServiceId = "memoryfabric-blob-tests"; // stable across the restart, as a deployment's is: it scopes the reminders
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static IReadOnlyList<TurnInput> Conversation(int count, string session) =>
        Enumerable.Range(0, count).Select(i => new TurnInput
        {
            SessionId = session,
            Speaker = "user",
            Text = $"Turn {i} of {session}: the deploy window is Tuesday.",
            Timestamp = new DateTimeOffset(2025, 3, 1, 8, i, 0, TimeSpan.Zero),
        }).ToList();

    private static async Task<List<string>> ReadRemindersAsync(TestCluster cluster, IAgentMemoryGrain agent)
    {
        var silo = (InProcessSiloHandle)cluster.Primary!;
        var table = silo.SiloHost.Services.GetRequiredService<IReminderTable>();
        var rows = await table.ReadRows(agent.GetGrainId());
        return rows.Reminders.Select(r => r.ReminderName).ToList();
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryFabric();
            void Blob(MemoryFabricBlobStorageOptions o)
            {
                o.ConnectionString = siloBuilder.Configuration[ConnectionStringKey];
                o.ContainerName = "cluster-tests";
            }

            siloBuilder.AddMemoryFabricAzureBlobStorage(Blob);
            siloBuilder.UseMemoryFabricAzureBlobReminders(Blob);
            siloBuilder.Services.AddSingleton(new AgentMemoryActorOptions { ConsolidateAfterTurns = 1_000 });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryFabricClient();
    }
}
