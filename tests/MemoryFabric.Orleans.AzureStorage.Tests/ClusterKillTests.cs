using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MemoryFabric.Conversation;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.AzureStorage.Tests.Support;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>Two silos on Orleans' Azure Table membership (no test-cluster membership, no primary silo), the agents'
/// snapshots and journals in blobs: a writer keeps ingesting into an agent while the silo that holds it is killed
/// (hard stop: no deactivation, no snapshot, no goodbye in the membership table), and every acknowledged turn is
/// then readable on the survivor, each exactly once.</summary>
[Collection(AzuriteTests.Name)]
public sealed class ClusterKillTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string ConnectionStringKey = "MemoryFabricTests:Azurite";
    private const string Container = "kill-tests";
    private const int Batches = 40;
    private const int TurnsPerBatch = 5;
    private const int KillAfterBatch = 20;

    [Fact]
    public async Task Killing_the_silo_that_holds_an_agent_leaves_every_acknowledged_turn_readable_on_the_survivor()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ClusterId = "kill-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ServiceId = builder.Options.ClusterId;
        builder.Properties[ConnectionStringKey] = azurite.ConnectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            // Membership really is the Azure table: both silos are rows of it.
            Assert.Equal(2, cluster.Silos.Count); // no primary silo: both are equal members of the table
            var membership = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<IMembershipTable>();
            Assert.Equal("AzureBasedMembershipTable", membership.GetType().Name);
            Assert.Equal(2, (await membership.ReadAllAsync()).Members.Count);

            // An agent whose activation is on the silo that will be killed (the second; the client may use either gateway).
            var victim = cluster.Silos[1];
            var survivor = cluster.Silos[0];
            var management = cluster.Client.GetGrain<IManagementGrain>(0);
            IAgentMemoryGrain? agent = null;
            for (var i = 0; i < 40 && agent is null; i++)
            {
                var candidate = cluster.Client.GetGrain<IAgentMemoryGrain>($"acme/kill-{i}-{Guid.NewGuid():N}");
                await candidate.IngestAsync(Batch(0));
                if (await management.GetActivationAddress(candidate) == victim.SiloAddress)
                {
                    agent = candidate;
                }
                else
                {
                    await candidate.PurgeAsync();
                }
            }

            Assert.NotNull(agent);
            Task? kill = null;
            var failedAttempts = 0;
            for (var batch = 1; batch < Batches; batch++)
            {
                if (batch == KillAfterBatch)
                {
                    kill = cluster.KillSiloAsync(victim); // not awaited: the writer goes on while the silo dies
                }

                // Retried with the same turn ids until acknowledged: a batch whose answer was lost with the silo may
                // already be stored, and then its turns come back as duplicates, never twice.
                var batchTurns = Batch(batch);
                var attempt = 0;
                var started = DateTime.UtcNow;
                await Eventually.SucceedsAsync(() => { attempt++; return agent.IngestAsync(batchTurns); }, $"ingest of batch {batch}", 90);
                if (attempt > 1)
                {
                    failedAttempts += attempt - 1;
                    output.WriteLine($"batch {batch}: acknowledged after {attempt} attempts, {(DateTime.UtcNow - started).TotalSeconds:F1} s");
                }
            }

            await kill!;
            output.WriteLine($"{failedAttempts} failed ingest attempts while the silo died");
            Assert.Equal(survivor.SiloAddress, await management.GetActivationAddress(agent));
            var turns = await Eventually.SucceedsAsync(() => agent.GetTurnsAsync(null), "reading the turns on the survivor");
            var expected = Enumerable.Range(0, Batches).SelectMany(b => Batch(b)).Select(t => t.Id!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, turns.Select(t => t.Id).Order(StringComparer.Ordinal).ToList());
            Assert.Equal(Batches * TurnsPerBatch, (await agent.GetStatisticsAsync()).Turns);

            // What the survivor loaded was a snapshot (every 8 journal appends) plus the journal blobs after it.
            var names = new List<string>();
            var prefix = "agent/" + Uri.EscapeDataString(agent.GetPrimaryKeyString()) + "/";
            await foreach (var blob in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
            {
                names.Add(blob.Name[prefix.Length..]);
            }

            Assert.Contains("snapshot", names);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static List<TurnInput> Batch(int batch) =>
        [.. Enumerable.Range(0, TurnsPerBatch).Select(i => new TurnInput
        {
            Id = $"b{batch:D3}-t{i}",
            SessionId = "s" + (batch / 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Speaker = i % 2 == 0 ? "user" : "assistant",
            Text = $"Batch {batch}, turn {i}: the deploy window moved to Tuesday at {8 + (i % 4)} o'clock.",
            Timestamp = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes((batch * TurnsPerBatch) + i),
        })];

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryFabric();
            siloBuilder.UseMemoryFabricAzureStorage(siloBuilder.Configuration[ConnectionStringKey]!, Container, membership: true);
            siloBuilder.Services.AddSingleton(new AgentMemoryGrainOptions { SnapshotAfterJournalEntries = 8 });

            // Declare the killed silo dead within seconds (the defaults take about a minute).
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.UseAzureStorageClustering((global::Orleans.Clustering.AzureStorage.AzureStorageGatewayOptions o) => o.TableServiceClient = new TableServiceClient(configuration[ConnectionStringKey]));
            clientBuilder.AddMemoryFabricSerialization();
            clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        }
    }
}
