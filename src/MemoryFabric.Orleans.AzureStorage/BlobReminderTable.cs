using System.Globalization;
using System.Net;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>
/// Orleans' reminder table on Azure Blob Storage, so the fabric's consolidation reminders outlive the silos: one blob
/// per reminder (<c>reminders/{service id}/{grain}/{name}</c>) whose metadata holds the grain, the name, the start,
/// the period and the grain's ring hash, so a silo reads its range with one listing and no downloads. The row ETag
/// is the blob's ETag: a removal with a stale one is refused.
/// </summary>
public sealed class BlobReminderTable : IReminderTable
{
    private const string GrainKey = "grain";
    private const string NameKey = "name";
    private const string StartKey = "start";
    private const string PeriodKey = "period";
    private const string HashKey = "hash";

    private readonly MemoryFabricBlobStorageOptions _options;
    private readonly string _prefix;
    private readonly Lazy<Task<BlobContainerClient>> _container;

    /// <summary>Creates the table.</summary>
    /// <param name="options">The storage account and container.</param>
    /// <param name="cluster">The cluster options (the service id scopes the reminders).</param>
    public BlobReminderTable(MemoryFabricBlobStorageOptions options, IOptions<ClusterOptions> cluster)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(cluster);
        _prefix = "reminders/" + Uri.EscapeDataString(cluster.Value.ServiceId) + "/";
        _container = new Lazy<Task<BlobContainerClient>>(async () =>
        {
            var service = _options.CreateClient?.Invoke() ?? new BlobServiceClient(_options.ConnectionString);
            var container = service.GetBlobContainerClient(_options.ContainerName);
            await container.CreateIfNotExistsAsync();
            return container;
        });
    }

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(GrainId grainId) =>
        new(await ListAsync(_prefix + Uri.EscapeDataString(grainId.ToString()) + "/", null));

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var range = RangeFactory.CreateRange(begin, end);
        return new(await ListAsync(_prefix, hash => range.InRange(hash)));
    }

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var blob = await BlobAsync(grainId, reminderName);
        try
        {
            var properties = await blob.GetPropertiesAsync();
            return ToEntry(properties.Value.Metadata, properties.Value.ETag);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var blob = await BlobAsync(entry.GrainId, entry.ReminderName);
        var metadata = new Dictionary<string, string>
        {
            [GrainKey] = Encode(entry.GrainId.ToString()),
            [NameKey] = Encode(entry.ReminderName),
            [StartKey] = entry.StartAt.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture),
            [PeriodKey] = entry.Period.Ticks.ToString(CultureInfo.InvariantCulture),
            [HashKey] = entry.GrainId.GetUniformHashCode().ToString(CultureInfo.InvariantCulture),
        };
        var response = await blob.UploadAsync(BinaryData.FromString(entry.ReminderName), new BlobUploadOptions { Metadata = metadata });
        entry.ETag = response.Value.ETag.ToString();
        return entry.ETag;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var blob = await BlobAsync(grainId, reminderName);
        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = new ETag(eTag) });
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task TestOnlyClearTable()
    {
        var container = await _container.Value;
        await foreach (var blob in container.GetBlobsAsync(prefix: _prefix))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name);
        }
    }

    private static string Encode(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string Decode(string value) => Encoding.UTF8.GetString(Convert.FromBase64String(value));

    private static ReminderEntry ToEntry(IDictionary<string, string> metadata, ETag etag) => new()
    {
        GrainId = GrainId.Parse(Decode(metadata[GrainKey])),
        ReminderName = Decode(metadata[NameKey]),
        StartAt = new DateTime(long.Parse(metadata[StartKey], CultureInfo.InvariantCulture), DateTimeKind.Utc),
        Period = TimeSpan.FromTicks(long.Parse(metadata[PeriodKey], CultureInfo.InvariantCulture)),
        ETag = etag.ToString(),
    };

    private async Task<List<ReminderEntry>> ListAsync(string prefix, Func<uint, bool>? hashFilter)
    {
        var container = await _container.Value;
        var result = new List<ReminderEntry>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, prefix: prefix))
        {
            if (blob.Metadata is not { } metadata || !metadata.ContainsKey(GrainKey))
            {
                continue;
            }

            if (hashFilter is not null && !hashFilter(uint.Parse(metadata[HashKey], CultureInfo.InvariantCulture)))
            {
                continue;
            }

            result.Add(ToEntry(metadata, blob.Properties.ETag ?? default));
        }

        return result;
    }

    private async Task<BlobClient> BlobAsync(GrainId grainId, string reminderName)
    {
        ArgumentException.ThrowIfNullOrEmpty(reminderName);
        var container = await _container.Value;
        return container.GetBlobClient(_prefix + Uri.EscapeDataString(grainId.ToString()) + "/" + Uri.EscapeDataString(reminderName));
    }
}
