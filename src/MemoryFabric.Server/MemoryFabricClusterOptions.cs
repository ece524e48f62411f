namespace MemoryFabric.Server;

/// <summary>The silo settings (<c>MemoryFabric:Cluster</c>; as environment variables
/// <c>MemoryFabric__Cluster__SiloPort</c> and so on). In <see cref="ServerMode.Cluster"/> they describe the cluster;
/// the embedded silo uses the ids and, when set, the ports.</summary>
public sealed class MemoryFabricClusterOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "MemoryFabric:Cluster";

    /// <summary>The cluster id: silos with the same one form a cluster. Default: <c>memoryfabric</c>.</summary>
    public string ClusterId { get; set; } = "memoryfabric";

    /// <summary>The service id: stable across deployments (it keys durable state). Default: <c>memoryfabric</c>.</summary>
    public string ServiceId { get; set; } = "memoryfabric";

    /// <summary>The silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients connect to. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at (a pod's IP); default: the loopback address, for one
    /// machine.</summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>How silos find each other: <see cref="ClusterMembership.Development"/> (a primary silo holds the
    /// membership table) or <see cref="ClusterMembership.AzureStorage"/>.</summary>
    public ClusterMembership Clustering { get; set; } = ClusterMembership.Development;

    /// <summary>With <see cref="ClusterMembership.Development"/>: the primary silo's <c>address:port</c> (its silo
    /// port); default: this silo (it is the primary).</summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>How quickly the cluster declares a silo that stopped answering dead, so that its grains are placed
    /// elsewhere (Orleans' <c>ClusterMembershipOptions</c>).</summary>
    public ClusterFailureDetectionOptions FailureDetection { get; set; } = new();

    /// <summary>Where the fabric's state goes: an Azure Storage account (or Azurite). Without a connection string the
    /// state is kept in memory by the silos, and lost when they stop (development only).</summary>
    public ClusterAzureStorageOptions AzureStorage { get; set; } = new();
}

/// <summary>Failure detection (<c>MemoryFabric:Cluster:FailureDetection</c>): every silo probes a few others every
/// <see cref="ProbeTimeout"/>; after <see cref="MissedProbesLimit"/> missed probes in a row it votes the silo dead, and
/// two votes (or all other silos, in a smaller cluster) declare it dead. Orleans' defaults (5 s, 3) leave the grains
/// of a crashed silo unreachable for 6–13 s; these settle it in about a second on a local network. Raise them for
/// silos that can pause for longer (large heaps, overcommitted nodes): a silo wrongly declared dead must restart.</summary>
public sealed class ClusterFailureDetectionOptions
{
    /// <summary>The probe period and a probe's timeout. Default: 500 ms.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Missed probes in a row before a silo votes another dead. Default: 2.</summary>
    public int MissedProbesLimit { get; set; } = 2;
}

/// <summary>The Azure Storage settings of the cluster host.</summary>
public sealed class ClusterAzureStorageOptions
{
    /// <summary>The storage account's connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob container of the fabric's state. Default: <c>memoryfabric</c>.</summary>
    public string ContainerName { get; set; } = "memoryfabric";
}

/// <summary>Cluster membership providers.</summary>
public enum ClusterMembership
{
    /// <summary>Orleans' development clustering: the primary silo (<see cref="MemoryFabricClusterOptions.PrimarySiloEndpoint"/>)
    /// holds the membership table in memory; if it goes, the cluster must be restarted.</summary>
    Development,

    /// <summary>Orleans' Azure Table membership (Microsoft.Orleans.Clustering.AzureStorage, in the account of
    /// <see cref="MemoryFabricClusterOptions.AzureStorage"/>): no primary silo.</summary>
    AzureStorage,
}
