using Azure.Storage.Blobs;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>Options of the fabric's Azure Blob grain storage.</summary>
public sealed class MemoryFabricBlobStorageOptions
{
    /// <summary>The default <see cref="ContainerName"/>.</summary>
    public const string DefaultContainerName = "memoryfabric";

    /// <summary>The storage account's connection string (or <c>UseDevelopmentStorage=true</c> for Azurite), used when
    /// <see cref="CreateClient"/> is not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container that holds the records (created if missing). Default: <see cref="DefaultContainerName"/>.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>Creates the service client (e.g. with a managed identity); overrides <see cref="ConnectionString"/>.</summary>
    public Func<BlobServiceClient>? CreateClient { get; set; }
}
