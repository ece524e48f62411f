using Azure.Data.Tables;
using Azure.Storage.Blobs;
using MemoryFabric.Orleans.Hosting;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>Puts a silo's fabric state in an Azure Storage account.</summary>
public static class AzureStorageSiloBuilderExtensions
{
    /// <summary>
    /// Keeps the fabric in an Azure Storage account (Azurite works): the agents' and vector shards' snapshots and
    /// journals in blobs (<see cref="BlobActorStateStore"/>, container <paramref name="containerName"/>), and, on
    /// Orleans' own providers, the small grains' state in Azure Blob grain storage
    /// (Microsoft.Orleans.Persistence.AzureStorage, named <see cref="MemoryFabricSiloOptions.SmallStateStorageName"/>, in
    /// the same container),
    /// reminders in an Azure Table (Microsoft.Orleans.Reminders.AzureStorage) and, with
    /// <paramref name="membership"/>, cluster membership in an Azure Table (Microsoft.Orleans.Clustering.AzureStorage).
    /// </summary>
    /// <param name="builder">The silo builder (with <c>AddMemoryFabric</c>).</param>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The blob container of the agents' state.</param>
    /// <param name="membership">Whether the cluster's membership goes to the account too.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder UseMemoryFabricAzureStorage(this ISiloBuilder builder, string connectionString, string containerName = "memoryfabric", bool membership = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        builder.UseMemoryFabricStore(_ => new BlobActorStateStore(new BlobServiceClient(connectionString).GetBlobContainerClient(containerName)), smallStateToo: false);
        builder.AddAzureBlobGrainStorage(MemoryFabricSiloOptions.SmallStateStorageName, o =>
        {
            // The same container: Orleans names these blobs "{state}-{grain type}/{key}.json" (e.g.
            // "tenants-tenantdirectory/default.json"), beside the store's "{type}/{key}/…"; one container per deployment.
            o.BlobServiceClient = new BlobServiceClient(connectionString);
            o.ContainerName = containerName;
        });
        builder.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connectionString));
        if (membership)
        {
            builder.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
        }

        return builder;
    }
}
