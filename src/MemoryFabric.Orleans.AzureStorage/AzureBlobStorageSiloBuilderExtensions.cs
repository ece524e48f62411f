using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>Registers the fabric's Azure Blob grain storage with a silo.</summary>
public static class AzureBlobStorageSiloBuilderExtensions
{
    /// <summary>Stores the fabric's grain state (snapshots and journal records) as blobs, under the storage name the
    /// fabric uses (<see cref="MemoryFabricSiloOptions.StorageName"/>, <c>MemoryFabric</c> by default).</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets the connection string (or client factory) and the container.</param>
    /// <param name="name">The storage name.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddMemoryFabricAzureBlobStorage(this ISiloBuilder builder, Action<MemoryFabricBlobStorageOptions> configure, string name = MemoryFabricSiloOptions.DefaultStorageName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MemoryFabricBlobStorageOptions();
        configure(options);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new MemoryFabricBlobGrainStorage(
            options,
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<ILogger<MemoryFabricBlobGrainStorage>>()));
        return builder;
    }

    /// <summary>Keeps the silo's reminders (the fabric's consolidation schedule) in Azure Blob Storage, so they
    /// outlive the silos, instead of the in-memory reminder service.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets the connection string (or client factory) and the container.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseMemoryFabricAzureBlobReminders(this ISiloBuilder builder, Action<MemoryFabricBlobStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MemoryFabricBlobStorageOptions();
        configure(options);
        builder.AddReminders();
        builder.Services.AddSingleton<IReminderTable>(sp => new BlobReminderTable(options, sp.GetRequiredService<IOptions<ClusterOptions>>()));
        return builder;
    }

    /// <summary>Keeps the cluster's membership table in Azure Blob Storage (one blob per cluster, conditional
    /// writes), so silos find each other without a primary silo.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets the connection string (or client factory) and the container.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseMemoryFabricAzureBlobClustering(this ISiloBuilder builder, Action<MemoryFabricBlobStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MemoryFabricBlobStorageOptions();
        configure(options);
        builder.Services.AddSingleton<IMembershipTable>(sp => new BlobMembershipTable(options, sp.GetRequiredService<IOptions<ClusterOptions>>(), sp.GetRequiredService<Serializer>()));
        return builder;
    }
}
