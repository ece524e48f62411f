using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace MemoryFabric.Client.Orleans.Tests.Support;

/// <summary>A two-silo Orleans test cluster hosting the fabric's grains with the in-memory providers, and an Orleans
/// client with the MemoryFabric client SDK bound to <see cref="Tenant"/> (<c>IClientBuilder.AddMemoryFabric</c>); each
/// silo co-hosts a client for the same tenant (<c>ISiloBuilder.AddMemoryFabricClient</c>).</summary>
public sealed class ClientClusterFixture : IAsyncLifetime
{
    /// <summary>The tenant of the cluster client's <see cref="IMemoryFabricClient"/>.</summary>
    public const string Tenant = "tenant-a";

    internal TestCluster Cluster { get; private set; } = null!;

    /// <summary>The client registered by <c>AddMemoryFabric(Tenant)</c>.</summary>
    public IMemoryFabricClient Client => Cluster.Client.ServiceProvider.GetRequiredService<IMemoryFabricClient>();

    /// <summary>Another client over the same cluster client, bound to another tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="options">The options.</param>
    /// <returns>The client.</returns>
    public IMemoryFabricClient ClientFor(string tenant, OrleansMemoryFabricClientOptions? options = null) =>
        new OrleansMemoryFabricClient(Cluster.Client, tenant, options);

    /// <summary>The clients co-hosted in the silos.</summary>
    public IEnumerable<IMemoryFabricClient> SiloClients =>
        Cluster.Silos.Cast<InProcessSiloHandle>().Select(s => s.SiloHost.Services.GetRequiredService<IMemoryFabricClient>());

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        // Each silo also co-hosts a client for the tenant (ISiloBuilder.AddMemoryFabricClient), which registers the
        // fabric's serialization a second time.
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryFabric(o => o.UseInMemoryProviders = true)
            .AddMemoryFabricClient(Tenant);
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryFabric(Tenant);
    }
}

/// <summary>One cluster for all the test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ClientClusterDefinition : ICollectionFixture<ClientClusterFixture>
{
    public const string Name = "Orleans client cluster";
}
