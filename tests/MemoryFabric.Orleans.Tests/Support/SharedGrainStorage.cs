using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>
/// Grain storage shared by every silo of the test process and kept across test clusters: it stands in for a durable
/// store (Azure Blob, a database), so a silo can be killed and a cluster restarted without losing state. Orleans'
/// memory grain storage keeps state in grains, which die with their silo. ETags: a write must present the stored
/// ETag, or none to create; a mismatch throws <see cref="InconsistentStateException"/>, as durable providers do.
/// </summary>
internal sealed class SharedGrainStorage(Serializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, (byte[] Data, string ETag)> Records = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static int Count(string prefix) => Records.Keys.Count(k => k.Contains(prefix, StringComparison.Ordinal));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Records.TryGetValue(Key(stateName, grainId), out var record))
        {
            grainState.State = serializer.Deserialize<T>(record.Data);
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        lock (Gate)
        {
            Check(key, grainState.ETag);
            var etag = Guid.NewGuid().ToString("N");
            Records[key] = (serializer.SerializeToArray(grainState.State), etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        lock (Gate)
        {
            Check(key, grainState.ETag);
            Records.TryRemove(key, out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    private static void Check(string key, string? etag)
    {
        var stored = Records.TryGetValue(key, out var record) ? record.ETag : null;
        if (stored != etag)
        {
            throw new InconsistentStateException($"ETag mismatch on {key}: stored {stored ?? "none"}, presented {etag ?? "none"}.", stored ?? "", etag ?? "");
        }
    }

    private static string Key(string stateName, GrainId grainId) => grainId + "|" + stateName;
}
