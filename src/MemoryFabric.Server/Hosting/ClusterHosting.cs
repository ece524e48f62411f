using System.Net;
using MemoryFabric.Orleans.AzureStorage;
using MemoryFabric.Orleans.Hosting;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace MemoryFabric.Server.Hosting;

/// <summary>Makes the MemoryFabric server a silo of an Orleans cluster.</summary>
public static class ClusterHosting
{
    /// <summary>The switch for Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes):
    /// <c>true</c>, <c>false</c>, or unset/<c>auto</c> for "when the pod's <c>POD_NAME</c> and <c>POD_NAMESPACE</c> are
    /// set" (the manifests in charts/ and deploy/ set them from the downward API).</summary>
    public const string KubernetesKey = MemoryFabricClusterOptions.SectionName + ":Kubernetes";

    /// <summary>Whether the silo uses Orleans' Kubernetes hosting: <see cref="KubernetesKey"/>, else whether the
    /// environment variables the package reads (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>) are set.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>Whether to call <c>UseKubernetesHosting</c>.</returns>
    /// <exception cref="InvalidOperationException">The switch is neither true, false nor auto.</exception>
    public static bool UsesKubernetes(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[KubernetesKey]?.Trim();
        if (string.IsNullOrEmpty(value) || string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodNameEnvironmentVariable))
                && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        }

        return bool.TryParse(value, out var on)
            ? on
            : throw new InvalidOperationException($"{KubernetesKey} is '{value}': true, false or auto.");
    }

    /// <summary>Configures a silo from the cluster options: cluster ids, endpoints, membership, the fabric's grains and
    /// their storage and reminders.</summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="options">The options.</param>
    /// <param name="server">The server's settings (idle timeout, memory limit).</param>
    public static void ConfigureSilo(ISiloBuilder silo, MemoryFabricClusterOptions options, MemoryFabricServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(server);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FailureDetection.ProbeTimeout, TimeSpan.Zero, "MemoryFabric:Cluster:FailureDetection:ProbeTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureDetection.MissedProbesLimit, 1, "MemoryFabric:Cluster:FailureDetection:MissedProbesLimit");
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = options.FailureDetection.ProbeTimeout;
            o.NumMissedProbesLimit = options.FailureDetection.MissedProbesLimit;
        });

        // In Kubernetes the pod's IP (POD_IP, from the downward API) is the default advertised address.
        var kubernetes = UsesKubernetes(silo.Configuration);
        var address = !string.IsNullOrWhiteSpace(options.AdvertisedIPAddress) ? options.AdvertisedIPAddress
            : kubernetes ? Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodIPEnvironmentVariable)
            : null;
        var advertised = string.IsNullOrWhiteSpace(address) ? IPAddress.Loopback : IPAddress.Parse(address);
        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
        if (kubernetes)
        {
            // Orleans' Kubernetes hosting: the silo is named after its pod, ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID
            // (when set) override the ids above, the pod carries the orleans/serviceId and orleans/clusterId labels,
            // and a silo whose pod is deleted is declared dead at once instead of after missed probes. The pod's
            // service account needs get/list/watch/patch/delete on pods (the chart's and the overlay's Role).
            silo.UseKubernetesHosting();
        }

        var connectionString = options.AzureStorage.ConnectionString;
        switch (options.Clustering)
        {
            case ClusterMembership.Development:
                var primary = string.IsNullOrWhiteSpace(options.PrimarySiloEndpoint)
                    ? new IPEndPoint(advertised, options.SiloPort)
                    : ParseEndpoint(options.PrimarySiloEndpoint, options.SiloPort);
                silo.UseDevelopmentClustering(primary);
                break;
            case ClusterMembership.AzureStorage:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("MemoryFabric:Cluster:Clustering=AzureStorage needs MemoryFabric:Cluster:AzureStorage:ConnectionString.");
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Clustering, "Unknown MemoryFabric:Cluster:Clustering.");
        }

        silo.AddMemoryFabric(o =>
        {
            o.UseInMemoryProviders = string.IsNullOrWhiteSpace(connectionString);
            o.ActivateAfterHostStarted = true;
            o.IdleTimeout = server.IdleTimeout;
        });
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            // Membership (with Clustering=AzureStorage), reminders and small grains' state on Orleans' own Azure
            // providers; the agents' snapshots and journals in blobs.
            silo.UseMemoryFabricAzureStorage(connectionString, options.AzureStorage.ContainerName, membership: options.Clustering == ClusterMembership.AzureStorage);
        }

        FabricHosting.ConfigureCollection(silo, server);
    }

    private static IPEndPoint ParseEndpoint(string value, int defaultPort)
    {
        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, defaultPort) : endpoint;
        }

        // A host name (e.g. memory-fabric-0.memory-fabric-headless): resolve it.
        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon] : value;
        var port = colon > 0 ? int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture) : defaultPort;
        var address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new ArgumentException($"MemoryFabric:Cluster:PrimarySiloEndpoint '{value}' does not resolve to an IPv4 address.");
        return new IPEndPoint(address, port);
    }
}
