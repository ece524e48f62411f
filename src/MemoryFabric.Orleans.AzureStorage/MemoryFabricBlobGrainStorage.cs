using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>
/// Orleans grain storage on Azure Blob Storage, made for the fabric's snapshot + journal records: one blob per record
/// (<c>{grain type}/{grain key}/{state name}</c>, the key URL-escaped), the state serialized with Orleans' serializer.
/// Concurrency by ETag: a write with the ETag last read or written is sent with <c>If-Match</c>, a write without one
/// with <c>If-None-Match: *</c> (create only: the fabric's journal records are never overwritten), and a refused
/// condition is an <see cref="InconsistentStateException"/>. A write returns once the blob service acknowledged it.
/// </summary>
public sealed class MemoryFabricBlobGrainStorage : IGrainStorage
{
    private readonly MemoryFabricBlobStorageOptions _options;
    private readonly Serializer _serializer;
    private readonly ILogger _logger;
    private readonly Lazy<Task<BlobContainerClient>> _container;

    /// <summary>Creates the storage.</summary>
    /// <param name="options">The options.</param>
    /// <param name="serializer">Orleans' serializer.</param>
    /// <param name="logger">A logger.</param>
    public MemoryFabricBlobGrainStorage(MemoryFabricBlobStorageOptions options, Serializer serializer, ILogger<MemoryFabricBlobGrainStorage> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        if (options.CreateClient is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Set MemoryFabricBlobStorageOptions.ConnectionString or CreateClient.", nameof(options));
        }

        _container = new Lazy<Task<BlobContainerClient>>(CreateContainerAsync);
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = await BlobAsync(stateName, grainId);
        try
        {
            var response = await blob.DownloadContentAsync();
            grainState.State = _serializer.Deserialize<T>(response.Value.Content.ToMemory());
            grainState.ETag = response.Value.Details.ETag.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = await BlobAsync(stateName, grainId);
        var conditions = grainState.ETag is { } etag
            ? new BlobRequestConditions { IfMatch = new ETag(etag) }
            : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            var response = await blob.UploadAsync(
                new BinaryData(_serializer.SerializeToArray(grainState.State)),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" } });
            grainState.ETag = response.Value.ETag.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException e) when (IsConflict(e))
        {
            throw Inconsistent(blob, grainState.ETag, e);
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var blob = await BlobAsync(stateName, grainId);
        try
        {
            if (grainState.ETag is { } etag)
            {
                await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = new ETag(etag) });
            }
            else if (await blob.ExistsAsync())
            {
                // The caller believes there is no record, but there is one: someone else wrote it.
                throw new InconsistentStateException($"The blob {blob.Name} exists; the caller expected none.", "(exists)", "(none)");
            }
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            // Already gone: clearing is idempotent.
        }
        catch (RequestFailedException e) when (IsConflict(e))
        {
            throw Inconsistent(blob, grainState.ETag, e);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The blob name of a record: <c>{grain type}/{grain key}/{state name}</c>, each part URL-escaped.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>The blob name.</returns>
    public static string BlobName(string stateName, GrainId grainId) =>
        Uri.EscapeDataString(grainId.Type.ToString()!) + "/" + Uri.EscapeDataString(grainId.Key.ToString()!) + "/" + Uri.EscapeDataString(stateName);

    private static bool IsConflict(RequestFailedException e) =>
        e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict;

    private InconsistentStateException Inconsistent(BlobClient blob, string? etag, RequestFailedException e)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(e, "ETag condition refused on {Blob} (presented {ETag})", blob.Name, etag ?? "none");
        }

        return new InconsistentStateException($"The blob {blob.Name} changed: the ETag condition ({(etag is null ? "If-None-Match: *" : "If-Match: " + etag)}) was refused ({e.ErrorCode}).", e);
    }

    private async Task<BlobClient> BlobAsync(string stateName, GrainId grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var container = await _container.Value;
        return container.GetBlobClient(BlobName(stateName, grainId));
    }

    private async Task<BlobContainerClient> CreateContainerAsync()
    {
        var service = _options.CreateClient?.Invoke() ?? new BlobServiceClient(_options.ConnectionString);
        var container = service.GetBlobContainerClient(_options.ContainerName);
        await container.CreateIfNotExistsAsync();
        return container;
    }
}
