using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>
/// Orleans' cluster membership table in one Azure blob per cluster (<c>membership/{service id}/{cluster id}</c>):
/// the rows and the table version, serialized with Orleans' serializer. The table version's ETag is the blob's ETag
/// and every change is a conditional write (<c>If-Match</c>), so two silos changing the table at once cannot both
/// succeed: the loser gets <see langword="false"/> and Orleans' membership protocol reads and tries again. Meant for
/// the small clusters the fabric runs (every silo writes its I-am-alive row to the same blob).
/// </summary>
public sealed class BlobMembershipTable : IMembershipTable
{
    private const int MaxRetries = 20;

    private readonly MemoryFabricBlobStorageOptions _options;
    private readonly Serializer _serializer;
    private readonly string _serviceId;
    private readonly string _clusterId;
    private readonly Lazy<Task<BlobContainerClient>> _container;

    /// <summary>Creates the table.</summary>
    /// <param name="options">The storage account and container.</param>
    /// <param name="cluster">The cluster and service ids.</param>
    /// <param name="serializer">Orleans' serializer.</param>
    public BlobMembershipTable(MemoryFabricBlobStorageOptions options, IOptions<ClusterOptions> cluster, Serializer serializer)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(cluster);
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _serviceId = cluster.Value.ServiceId;
        _clusterId = cluster.Value.ClusterId;
        _container = new Lazy<Task<BlobContainerClient>>(async () =>
        {
            var service = _options.CreateClient?.Invoke() ?? new BlobServiceClient(_options.ConnectionString);
            var container = service.GetBlobContainerClient(_options.ContainerName);
            await container.CreateIfNotExistsAsync();
            return container;
        });
    }

    /// <inheritdoc />
    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        var blob = await BlobAsync(_clusterId);
        if (!tryInitTableVersion)
        {
            return;
        }

        try
        {
            await blob.UploadAsync(new BinaryData(_serializer.SerializeToArray(new MembershipDocument())), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            // Another silo created it.
        }
    }

    /// <inheritdoc />
    public async Task DeleteMembershipTableEntries(string clusterId) =>
        await (await BlobAsync(clusterId)).DeleteIfExistsAsync();

    /// <inheritdoc />
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        ChangeAsync(document =>
        {
            var removed = document.Rows.RemoveAll(r => r.Entry.Status != SiloStatus.Active && new DateTimeOffset(DateTime.SpecifyKind(EffectiveUpdateTime(r.Entry), DateTimeKind.Utc)) < beforeDate);
            return removed > 0;
        });

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        var (document, etag) = await ReadAsync();
        var version = new TableVersion(document.Version, etag);
        var row = document.Rows.FirstOrDefault(r => r.Entry.SiloAddress.Equals(key));
        return row is null ? new MembershipTableData(version) : new MembershipTableData(Tuple.Create(row.Entry, row.ETag), version);
    }

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadAll()
    {
        var (document, etag) = await ReadAsync();
        return new MembershipTableData(document.Rows.Select(r => Tuple.Create(r.Entry, r.ETag)).ToList(), new TableVersion(document.Version, etag));
    }

    /// <inheritdoc />
    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var (document, etag) = await ReadAsync();
        if (etag != tableVersion.VersionEtag || document.Rows.Any(r => r.Entry.SiloAddress.Equals(entry.SiloAddress)))
        {
            return false;
        }

        document.Rows.Add(new MembershipRow { Entry = entry, ETag = NewETag() });
        document.Version = tableVersion.Version;
        return await TryWriteAsync(document, etag);
    }

    /// <inheritdoc />
    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var (document, blobETag) = await ReadAsync();
        var index = document.Rows.FindIndex(r => r.Entry.SiloAddress.Equals(entry.SiloAddress));
        if (blobETag != tableVersion.VersionEtag || index < 0 || document.Rows[index].ETag != etag)
        {
            return false;
        }

        document.Rows[index] = new MembershipRow { Entry = entry, ETag = NewETag() };
        document.Version = tableVersion.Version;
        return await TryWriteAsync(document, blobETag);
    }

    /// <inheritdoc />
    public Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ChangeAsync(document =>
        {
            var row = document.Rows.FirstOrDefault(r => r.Entry.SiloAddress.Equals(entry.SiloAddress));
            if (row is null)
            {
                return false;
            }

            row.Entry.IAmAliveTime = entry.IAmAliveTime; // the row's ETag and the table version stay: liveness only
            return true;
        });
    }

    private static string NewETag() => Guid.NewGuid().ToString("N");

    // As Orleans' own tables: the latest of the start, the I-am-alive time and the suspicion votes.
    private static DateTime EffectiveUpdateTime(MembershipEntry entry)
    {
        var result = entry.IAmAliveTime > entry.StartTime ? entry.IAmAliveTime : entry.StartTime;
        foreach (var (_, time) in entry.SuspectTimes ?? [])
        {
            result = time > result ? time : result;
        }

        return result;
    }

    // Read, change, write with If-Match; again when another silo wrote in between.
    private async Task ChangeAsync(Func<MembershipDocument, bool> change)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var (document, etag) = await ReadAsync();
            if (!change(document) || await TryWriteAsync(document, etag))
            {
                return;
            }

            await Task.Delay(Random.Shared.Next(10, 100));
        }

        throw new InvalidOperationException($"The membership blob of cluster '{_clusterId}' kept changing: {MaxRetries} conditional writes failed.");
    }

    private async Task<(MembershipDocument Document, string ETag)> ReadAsync()
    {
        var blob = await BlobAsync(_clusterId);
        try
        {
            var content = await blob.DownloadContentAsync();
            return (_serializer.Deserialize<MembershipDocument>(content.Value.Content.ToMemory()) ?? new MembershipDocument(), content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return (new MembershipDocument(), "");
        }
    }

    private async Task<bool> TryWriteAsync(MembershipDocument document, string etag)
    {
        var blob = await BlobAsync(_clusterId);
        var conditions = etag.Length == 0 ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(etag) };
        try
        {
            await blob.UploadAsync(new BinaryData(_serializer.SerializeToArray(document)), new BlobUploadOptions { Conditions = conditions });
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    private async Task<BlobClient> BlobAsync(string clusterId)
    {
        var container = await _container.Value;
        return container.GetBlobClient("membership/" + Uri.EscapeDataString(_serviceId) + "/" + Uri.EscapeDataString(clusterId));
    }
}

/// <summary>The membership blob's content.</summary>
[GenerateSerializer]
[Alias("memoryfabric.membership")]
public sealed class MembershipDocument
{
    /// <summary>The table version (Orleans increments it with each membership change).</summary>
    [Id(0)]
    public int Version { get; set; }

    /// <summary>The silos' rows.</summary>
    [Id(1)]
    public List<MembershipRow> Rows { get; set; } = [];
}

/// <summary>One silo's row.</summary>
[GenerateSerializer]
[Alias("memoryfabric.membership.row")]
public sealed class MembershipRow
{
    /// <summary>The entry.</summary>
    [Id(0)]
    public MembershipEntry Entry { get; set; } = null!;

    /// <summary>The row's ETag.</summary>
    [Id(1)]
    public string ETag { get; set; } = "";
}
