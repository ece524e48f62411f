using System.Collections.Concurrent;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;

namespace MemoryFabric.Server.Security;

/// <summary>Known keys by hash, for a short time, so that a request does not queue through the tenant directory
/// actor. Revoking a key clears the cache at once; unknown keys are never cached. The cached record carries the key's
/// trust cap (<see cref="ApiKeyRecord.Trust"/>), which a key keeps for life.</summary>
internal sealed class ApiKeyCache(TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string hash, out ApiKeyRecord? record)
    {
        if (_entries.TryGetValue(hash, out var entry) && entry.Expires > time.GetUtcNow())
        {
            record = entry.Record;
            return true;
        }

        record = null;
        return false;
    }

    public void Add(ApiKeyRecord record)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[record.Hash] = (record, time.GetUtcNow() + Lifetime);
    }

    public void Clear() => _entries.Clear();
}
