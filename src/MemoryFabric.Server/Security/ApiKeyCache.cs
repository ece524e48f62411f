using System.Collections.Concurrent;
using MemoryFabric.Orleans.Tenants;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Security;

/// <summary>
/// Resolves tenant keys by hash through the tenant directory grain, which every tenant shares, remembering the answers
/// so that requests do not queue through it: known keys for 30 seconds, unknown keys (hashes the directory does not
/// know) for <see cref="MemoryFabricServerOptions.UnknownKeyCacheLifetime"/> in a bounded cache
/// (<see cref="UnknownKeyCache"/>), so that a repeated bad key costs one look-up per lifetime and a flood of distinct
/// random keys cannot grow memory. Known keys are trusted only while the directory's revocation feed is fresh:
/// <see cref="ApiKeyRevocationWatcher"/> polls it every <see cref="MemoryFabricServerOptions.RevocationCheckInterval"/>
/// and drops the keys revoked through any server of a cluster; when it has not succeeded for four intervals (at least
/// a second), the next request for a cached key runs one check itself (shared by every request that arrives
/// meanwhile: a stale feed costs one grain call, not one per request) and looks the key up again only when that check
/// fails. Revoking through this server drops the key at once (<see cref="Remove"/>). The cached record carries the key's trust cap (<see cref="ApiKeyRecord.Trust"/>), which a
/// key keeps for life.
/// </summary>
internal sealed class ApiKeyCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    private const int Capacity = 100_000;

    private readonly TimeProvider _time;
    private readonly IApiKeyDirectory _directory;
    private readonly UnknownKeyCache _unknown;
    private readonly TimeSpan _staleAfter;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _checkGate = new();
    private Task? _check; // the check running now, shared by the watcher and by requests that found the feed stale
    private long _generation; // bumped whenever keys are dropped; a look-up that raced with a drop is not cached
    private long _freshUntilTicks = DateTimeOffset.MinValue.UtcTicks;
    private Guid _epoch;
    private long _version;

    /// <summary>Creates the server's cache over the tenant directory grain.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="grains">The grain factory.</param>
    /// <param name="options">The server's settings (unknown-key cache, revocation check interval).</param>
    public ApiKeyCache(TimeProvider time, IGrainFactory grains, IOptions<MemoryFabricServerOptions> options)
        : this(time, new GrainApiKeyDirectory(grains), ApiKeyCacheSettings.From(options.Value))
    {
    }

    /// <summary>Creates a cache over any directory (tests).</summary>
    internal ApiKeyCache(TimeProvider time, IApiKeyDirectory directory, ApiKeyCacheSettings settings)
    {
        _time = time;
        _directory = directory;
        _unknown = new UnknownKeyCache(time, settings.UnknownKeyCapacity, settings.UnknownKeyLifetime);
        CheckInterval = settings.RevocationCheckInterval;
        _staleAfter = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, settings.RevocationCheckInterval.Ticks * 4));
    }

    /// <summary>How often <see cref="ApiKeyRevocationWatcher"/> calls <see cref="CheckRevocationsAsync"/>.</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>The unknown-key cache.</summary>
    internal UnknownKeyCache Unknown => _unknown;

    /// <summary>Known keys cached now (expired ones included until replaced or cleared).</summary>
    internal int Count => _entries.Count;

    /// <summary>The key with a hash, from the cache or else the directory; unknown hashes are remembered
    /// briefly.</summary>
    /// <param name="hash">The SHA-256 of the presented secret.</param>
    /// <param name="cancellationToken">Cancels the look-up.</param>
    /// <returns>The key, or <see langword="null"/> when it is unknown or revoked.</returns>
    public async ValueTask<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken)
    {
        if (TryGet(hash, out var cached))
        {
            return cached;
        }

        if (_unknown.Contains(hash))
        {
            return null;
        }

        if (IsRecentlyKnown(hash) && !IsFresh)
        {
            // The feed is stale (the watcher fell behind): one shared check refreshes it for every request.
            try
            {
                await CheckRevocationsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The directory did not answer the check: the key is looked up below instead.
            }

            if (TryGet(hash, out cached))
            {
                return cached;
            }
        }

        var generation = Interlocked.Read(ref _generation);
        var record = await _directory.ResolveAsync(hash, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            _unknown.Add(hash);
        }
        else if (Interlocked.Read(ref _generation) == generation)
        {
            Add(record);
        }

        return record;
    }

    /// <summary>A cached key, while it is fresh and the revocation feed is too.</summary>
    /// <param name="hash">The hash.</param>
    /// <param name="record">The key.</param>
    /// <returns>Whether it was cached.</returns>
    public bool TryGet(string hash, out ApiKeyRecord? record)
    {
        var now = _time.GetUtcNow();
        if (now.UtcTicks <= Interlocked.Read(ref _freshUntilTicks) && _entries.TryGetValue(hash, out var entry) && entry.Expires > now)
        {
            record = entry.Record;
            return true;
        }

        record = null;
        return false;
    }

    /// <summary>Whether a hash is a key this server resolved in the last 30 seconds and has not seen revoked, even
    /// while the revocation feed is stale (the client-address limit lets such requests through; authentication still
    /// asks the directory when the feed is stale).</summary>
    /// <param name="hash">The hash.</param>
    /// <returns>Whether it is cached.</returns>
    public bool IsRecentlyKnown(string hash) => _entries.TryGetValue(hash, out var entry) && entry.Expires > _time.GetUtcNow();

    /// <summary>Caches a key the directory returned.</summary>
    /// <param name="record">The key.</param>
    public void Add(ApiKeyRecord record)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[record.Hash] = (record, _time.GetUtcNow() + Lifetime);
    }

    /// <summary>Forgets one cached key at once (it was revoked through this server); other servers drop it at their
    /// next revocation check.</summary>
    /// <param name="tenant">The key's tenant.</param>
    /// <param name="keyId">The key's id.</param>
    /// <returns>How many cached entries were dropped.</returns>
    public int Remove(string tenant, string keyId)
    {
        Interlocked.Increment(ref _generation);
        var removed = 0;
        foreach (var (hash, entry) in _entries)
        {
            if (string.Equals(entry.Record.Tenant, tenant, StringComparison.Ordinal) && string.Equals(entry.Record.Id, keyId, StringComparison.Ordinal)
                && _entries.TryRemove(hash, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Forgets every cached key.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>Asks the tenant directory which keys were revoked since the last check and drops them (all of them
    /// when the directory cannot tell); on success the cached keys are trusted for four more intervals. A call while
    /// another check runs waits for that one (checks never overlap, and a caller's cancellation stops its wait, not the
    /// check).</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the check is done.</returns>
    public Task CheckRevocationsAsync(CancellationToken cancellationToken)
    {
        Task check;
        lock (_checkGate)
        {
            if (_check is not { IsCompleted: false })
            {
                _check = RunCheckAsync();
            }

            check = _check;
        }

        return check.WaitAsync(cancellationToken);
    }

    /// <summary>Readies the cache before the server takes traffic: runs the first revocation check, which activates
    /// the tenant directory (its keys read from storage) and starts this cache's feed, then asks the directory for a
    /// hash no key has, so that the look-up path is compiled. Nothing is cached by it: the first request's key is
    /// still looked up in the directory, now a call to a live grain, and the revocation rules are unchanged.</summary>
    /// <param name="cancellationToken">Cancels the warm-up.</param>
    /// <returns>A task that completes when the directory has answered both.</returns>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await CheckRevocationsAsync(cancellationToken).ConfigureAwait(false);
        _ = await _directory.ResolveAsync(WarmUpHash, cancellationToken).ConfigureAwait(false);
    }

    // Not a SHA-256 in hex, so no key can have it.
    private const string WarmUpHash = "warm-up";

    private bool IsFresh => _time.GetUtcNow().UtcTicks <= Interlocked.Read(ref _freshUntilTicks);

    // One check at a time, not cancelled by any one caller (others may be waiting for it); bounded by a timeout.
    private async Task RunCheckAsync()
    {
        await Task.Yield(); // the caller returns its task before the grain call starts
        using var timeout = new CancellationTokenSource(CheckTimeout, _time);
        var asked = _time.GetUtcNow();
        var feed = await _directory.GetRevocationsAsync(_epoch, _version, timeout.Token).ConfigureAwait(false);
        if (!feed.Complete)
        {
            Clear();
        }
        else if (feed.Hashes.Count > 0)
        {
            Interlocked.Increment(ref _generation);
            foreach (var hash in feed.Hashes)
            {
                _entries.TryRemove(hash, out _);
            }
        }

        _epoch = feed.Epoch;
        _version = feed.Version;
        Interlocked.Exchange(ref _freshUntilTicks, (asked + _staleAfter).UtcTicks);
    }

    /// <summary>The tenant directory grain.</summary>
    private sealed class GrainApiKeyDirectory(IGrainFactory grains) : IApiKeyDirectory
    {
        private ITenantDirectoryGrain Directory => grains.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);

        public Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken) => Directory.ResolveAsync(hash, cancellationToken);

        public Task<KeyRevocations> GetRevocationsAsync(Guid epoch, long sinceVersion, CancellationToken cancellationToken) =>
            Directory.GetRevocationsAsync(epoch, sinceVersion, cancellationToken);
    }
}

/// <summary>What <see cref="ApiKeyCache"/> asks of the tenant directory.</summary>
internal interface IApiKeyDirectory
{
    /// <summary>The key with a hash.</summary>
    Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken);

    /// <summary>The keys revoked since a version of the revocation feed.</summary>
    Task<KeyRevocations> GetRevocationsAsync(Guid epoch, long sinceVersion, CancellationToken cancellationToken);
}

/// <summary>The settings of an <see cref="ApiKeyCache"/>.</summary>
/// <param name="UnknownKeyCapacity">The most unknown hashes remembered.</param>
/// <param name="UnknownKeyLifetime">How long an unknown hash is remembered.</param>
/// <param name="RevocationCheckInterval">How often the revocation feed is checked.</param>
internal sealed record ApiKeyCacheSettings(int UnknownKeyCapacity, TimeSpan UnknownKeyLifetime, TimeSpan RevocationCheckInterval)
{
    /// <summary>The settings of the server's options, kept in range.</summary>
    public static ApiKeyCacheSettings From(MemoryFabricServerOptions options) => new(
        Math.Max(0, options.UnknownKeyCacheCapacity),
        options.UnknownKeyCacheLifetime > TimeSpan.Zero ? options.UnknownKeyCacheLifetime : TimeSpan.Zero,
        options.RevocationCheckInterval > TimeSpan.Zero ? options.RevocationCheckInterval : TimeSpan.FromMilliseconds(250));
}
