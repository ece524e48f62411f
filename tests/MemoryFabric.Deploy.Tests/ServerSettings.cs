using System.Text.RegularExpressions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>The configuration keys (section <c>MemoryFabric</c>) the deployment files may set: the properties of
/// <c>MemoryFabricServerOptions</c>, read from its source so that a rename breaks these tests, and the cluster-mode
/// keys (<c>MemoryFabricClusterOptions</c>, and <c>Cluster:Kubernetes</c>, read by <c>ClusterHosting</c>).</summary>
internal static partial class ServerSettings
{
    public static readonly string[] ClusterKeys =
    [
        "Mode", "Cluster__ClusterId", "Cluster__ServiceId", "Cluster__SiloPort", "Cluster__GatewayPort",
        "Cluster__AdvertisedIPAddress", "Cluster__Clustering", "Cluster__PrimarySiloEndpoint", "Cluster__Kubernetes",
        "Cluster__AzureStorage__ConnectionString", "Cluster__AzureStorage__ContainerName",
    ];

    public static IReadOnlySet<string> OptionProperties { get; } = ReadOptionProperties();

    public static IReadOnlySet<string> Known { get; } = OptionProperties.Concat(ClusterKeys).ToHashSet();

    private static HashSet<string> ReadOptionProperties()
    {
        var source = File.ReadAllText(Repo.PathOf("src", "MemoryFabric.Server", "MemoryFabricServerOptions.cs"));
        return Property().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
    }

    [GeneratedRegex(@"public\s+[A-Za-z?<>]+\s+([A-Za-z]+)\s*\{\s*get;\s*set;\s*\}")]
    private static partial Regex Property();
}
