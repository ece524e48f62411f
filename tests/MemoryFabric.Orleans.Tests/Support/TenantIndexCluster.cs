using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.TenantIndex;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>A test cluster for the tenant index: the fabric as <see cref="FabricCluster"/> hosts it (grain storage
/// shared by the silos, deferred embedding with a 64-d hashing embedder), that embedder also registered for the
/// tenant-wide search, no consolidation during a test, 4 shards per tenant, and the outbox flushed 50 ms after a
/// change (<see cref="Start"/>) or only when a search or a forget asks (<see cref="StartWithoutTimerAsync"/>: whatever
/// the shards hold then came through a flush that was acknowledged).</summary>
internal static class TenantIndexCluster
{
    public const int Shards = 4;

    public static Task<TestCluster> StartAsync(short silos = 2) => StartAsync<TimedFlush>(silos);

    public static Task<TestCluster> StartWithoutTimerAsync(short silos = 3) => StartAsync<FlushOnDemand>(silos);

    /// <summary>Two base shards per tenant that split past <see cref="SplitThreshold"/> items, copying
    /// <see cref="SplitCopyBatch"/> at a time (so a split takes many steps), the outbox flushed 50 ms after a change.</summary>
    public static Task<TestCluster> StartSplittingAsync(short silos = 2) => StartAsync<Splitting>(silos);

    /// <summary>Two shards per tenant, outboxes shipping only when asked (a flush, a tenant-wide search), and one
    /// <see cref="SharedOptions"/> object registered in every silo, so a test can switch a setting for the whole
    /// cluster.</summary>
    public static Task<TestCluster> StartWithSharedOptionsAsync(short silos = 2) => StartAsync<Shared>(silos);

    /// <summary>Two shards per tenant keeping float32 vectors (exact scores), outboxes shipping only when asked, and
    /// one <see cref="LargeAgentOptions"/> object in every silo: a test sets its
    /// <see cref="TenantIndexOptions.LargeAgentTurnVectors"/> (0, never, to begin with).</summary>
    public static Task<TestCluster> StartForLargeAgentsAsync(short silos = 1) => StartAsync<LargeAgents>(silos);

    /// <summary>The options of the cluster <see cref="StartForLargeAgentsAsync"/> starts.</summary>
    public static TenantIndexOptions LargeAgentOptions { get; } = new()
    {
        Enabled = true,
        Shards = 2,
        FlushDelay = TimeSpan.FromHours(1),
        UnmarkAfter = TimeSpan.FromHours(1),
        VectorStorage = MemoryFabric.VectorIndex.VectorStorage.InMemory,
        LargeAgentTurnVectors = 0,
    };

    /// <summary>The options of the cluster <see cref="StartWithSharedOptionsAsync"/> starts (one object for all its silos).</summary>
    public static TenantIndexOptions SharedOptions { get; } = new()
    {
        Enabled = true,
        Shards = 2,
        FlushDelay = TimeSpan.FromHours(1),
        UnmarkAfter = TimeSpan.FromHours(1),
    };

    public const int SplitBaseShards = 2;

    public const int SplitThreshold = 60;

    public const int SplitCopyBatch = 2;

    /// <summary>Everything stored for a tenant's shards (snapshots and journals), as one byte array.</summary>
    public static async Task<byte[]> ShardBytesAsync(string tenant)
    {
        using var all = new MemoryStream();
        for (var n = 0; n < Shards; n++)
        {
            var state = await SharedStateStore.Instance.LoadAsync(new ActorId(VectorShards.VectorShardGrain.TypeName, $"{tenant}/shard-{n}"));
            if (state.Snapshot is { } snapshot)
            {
                all.Write(snapshot.Span);
            }

            foreach (var entry in state.Journal)
            {
                all.Write(entry.Data.Span);
            }
        }

        return all.ToArray();
    }

    private static async Task<TestCluster> StartAsync<T>(short silos)
        where T : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<T>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private abstract class SiloConfigurator(TimeSpan flushDelay, Action<TenantIndexOptions>? configure = null, TenantIndexOptions? shared = null) : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var embedder = new HashingEmbeddingGenerator(64);
            siloBuilder.AddMemoryFabric(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.UseMemoryFabricStore(_ => SharedStateStore.Instance);
            siloBuilder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
            siloBuilder.Services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(
                new AgentMemoryOptions { DeferEmbedding = true },
                TimeProvider.System,
                embedder)));
            siloBuilder.Services.AddSingleton(new AgentMemoryGrainOptions
            {
                ConsolidateAfterTurns = 100_000,
                ConsolidationPeriod = TimeSpan.FromHours(1),
            });
            var options = shared ?? new TenantIndexOptions { Enabled = true, Shards = Shards, FlushDelay = flushDelay, UnmarkAfter = TimeSpan.FromMilliseconds(200) };
            configure?.Invoke(options);
            siloBuilder.Services.AddSingleton(options);
        }
    }

    private sealed class TimedFlush() : SiloConfigurator(TimeSpan.FromMilliseconds(50));

    private sealed class FlushOnDemand() : SiloConfigurator(TimeSpan.FromHours(1));

    private sealed class Shared() : SiloConfigurator(TimeSpan.FromHours(1), shared: SharedOptions);

    private sealed class LargeAgents() : SiloConfigurator(TimeSpan.FromHours(1), shared: LargeAgentOptions);

    private sealed class Splitting() : SiloConfigurator(TimeSpan.FromMilliseconds(50), o =>
    {
        o.Shards = SplitBaseShards;
        o.ShardSplitThreshold = SplitThreshold;
        o.SplitCheckInterval = TimeSpan.Zero;
        o.SplitCopyBatch = SplitCopyBatch;
        o.RetryDelay = TimeSpan.FromMilliseconds(100);
    });

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryFabricSerialization();
    }
}
