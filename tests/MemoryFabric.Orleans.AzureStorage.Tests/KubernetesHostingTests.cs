using System.Net;
using MemoryFabric.Server;
using MemoryFabric.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>Cluster mode turns on Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes) inside a pod:
/// detected from the variables the manifests set (POD_NAME, POD_NAMESPACE, POD_IP, ORLEANS_SERVICE_ID,
/// ORLEANS_CLUSTER_ID) or forced with MemoryFabric:Cluster:Kubernetes. The servers are built, not started (there is
/// no Kubernetes API here). In the Azurite collection only so that nothing else runs while the process environment
/// holds a pod's variables.</summary>
[Collection(AzuriteTests.Name)]
public sealed class KubernetesHostingTests : IDisposable
{
    private static readonly string[] PodVariables = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID"];

    private readonly string _data = Path.Combine(Path.GetTempPath(), "mf-k8s-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _saved = PodVariables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task In_a_pod_the_cluster_silo_uses_Kubernetes_hosting_with_the_pod_name_IP_and_ids()
    {
        Environment.SetEnvironmentVariable("POD_NAME", "memory-fabric-1");
        Environment.SetEnvironmentVariable("POD_NAMESPACE", "ai");
        Environment.SetEnvironmentVariable("POD_IP", "10.244.1.17");
        Environment.SetEnvironmentVariable("ORLEANS_SERVICE_ID", "mf-service");
        Environment.SetEnvironmentVariable("ORLEANS_CLUSTER_ID", "mf-cluster");

        await using var app = Build();
        Assert.NotEmpty(app.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>());
        Assert.Equal("memory-fabric-1", app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
        Assert.Equal(IPAddress.Any, endpoints.SiloListeningEndpoint!.Address);
        var ids = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal("mf-service", ids.ServiceId);
        Assert.Equal("mf-cluster", ids.ClusterId);
    }

    [Fact]
    public async Task The_switch_forces_Kubernetes_hosting_on_or_off()
    {
        Environment.SetEnvironmentVariable("POD_NAME", "memory-fabric-0");
        Environment.SetEnvironmentVariable("POD_NAMESPACE", "ai");
        Environment.SetEnvironmentVariable("POD_IP", "10.244.1.16");
        await using (var off = Build("--MemoryFabric:Cluster:Kubernetes=false"))
        {
            Assert.Empty(off.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>());
            Assert.Equal(IPAddress.Loopback, off.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.AdvertisedIPAddress);
        }

        foreach (var name in PodVariables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        await using (var outside = Build())
        {
            Assert.Empty(outside.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>());
        }

        await using (var on = Build("--MemoryFabric:Cluster:Kubernetes=true"))
        {
            Assert.NotEmpty(on.Services.GetServices<IConfigureOptions<KubernetesHostingOptions>>());
        }

        var bad = new ConfigurationBuilder().AddInMemoryCollection([new(ClusterHosting.KubernetesKey, "sometimes")]).Build();
        Assert.Throws<InvalidOperationException>(() => ClusterHosting.UsesKubernetes(bad));
    }

    private Microsoft.AspNetCore.Builder.WebApplication Build(params string[] extra) =>
        MemoryFabricServer.Build([
            "--urls=http://127.0.0.1:0",
            "--MemoryFabric:Embedder=hashing",
            "--MemoryFabric:AdminKey=k8s-test",
            "--MemoryFabric:DataDirectory=" + _data,
            "--MemoryFabric:Mode=Cluster",
            .. extra,
        ]);
}
