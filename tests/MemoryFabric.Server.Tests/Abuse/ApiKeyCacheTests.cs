using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Server.Security;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Server.Tests.Abuse;

/// <summary>The key cache against a counting directory double, on a manual clock.</summary>
public sealed class ApiKeyCacheTests
{
    private static readonly ApiKeyCacheSettings Settings = new(UnknownKeyCapacity: 50, UnknownKeyLifetime: TimeSpan.FromSeconds(10), RevocationCheckInterval: TimeSpan.FromMilliseconds(250));

    private readonly ManualTimeProvider _time = new();
    private readonly FakeDirectory _directory = new();

    [Fact]
    public async Task An_unknown_key_is_looked_up_once_then_remembered_for_its_lifetime()
    {
        var cache = new ApiKeyCache(_time, _directory, Settings);

        for (var i = 0; i < 10; i++)
        {
            Assert.Null(await cache.ResolveAsync("unknown-hash", CancellationToken.None));
        }

        Assert.Equal(1, _directory.Lookups);

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(await cache.ResolveAsync("unknown-hash", CancellationToken.None));
        Assert.Equal(2, _directory.Lookups);
    }

    [Fact]
    public async Task A_flood_of_distinct_unknown_keys_keeps_the_unknown_key_cache_within_its_capacity()
    {
        var cache = new ApiKeyCache(_time, _directory, Settings);

        for (var i = 0; i < 5_000; i++)
        {
            Assert.Null(await cache.ResolveAsync("random-" + i, CancellationToken.None));
            Assert.True(cache.Unknown.Count <= Settings.UnknownKeyCapacity);
        }

        Assert.Equal(Settings.UnknownKeyCapacity, cache.Unknown.Count);
        Assert.True(cache.Unknown.Contains("random-4999")); // the newest are kept, the oldest evicted
        Assert.False(cache.Unknown.Contains("random-0"));
    }

    [Fact]
    public void The_unknown_key_cache_evicts_expired_entries_and_stays_bounded()
    {
        var unknown = new UnknownKeyCache(_time, capacity: 100, lifetime: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 10_000; i++)
        {
            unknown.Add("h" + i);
            if (i % 1_000 == 0)
            {
                _time.Advance(TimeSpan.FromSeconds(2));
            }
        }

        Assert.True(unknown.Count <= 100);
        _time.Advance(TimeSpan.FromSeconds(2));
        unknown.Add("last");
        Assert.Equal(1, unknown.Count);
    }

    [Fact]
    public async Task Revoking_a_key_through_this_server_drops_only_that_key_from_the_cache()
    {
        var revoked = _directory.AddKey("acme");
        var other = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.CheckRevocationsAsync(CancellationToken.None);
        await cache.ResolveAsync(revoked.Hash, CancellationToken.None);
        await cache.ResolveAsync(other.Hash, CancellationToken.None);
        Assert.Equal(2, _directory.Lookups);

        Assert.Equal(1, cache.Remove("acme", revoked.Id));
        Assert.Equal(0, cache.Remove("other-tenant", other.Id));

        Assert.True(cache.TryGet(other.Hash, out _));
        Assert.False(cache.TryGet(revoked.Hash, out _));
        Assert.Equal(other, await cache.ResolveAsync(other.Hash, CancellationToken.None));
        Assert.Equal(2, _directory.Lookups); // the other key was still served from the cache
    }

    [Fact]
    public async Task A_known_key_is_served_from_the_cache_while_the_revocation_feed_is_fresh()
    {
        var key = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.CheckRevocationsAsync(CancellationToken.None);

        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.Equal(1, _directory.Lookups);

        // No successful check for over a second: the next request runs one check of the feed itself, shared by
        // every request meanwhile, and serves the key from the cache again (no look-up per request).
        _time.Advance(TimeSpan.FromSeconds(1.1));
        var checks = _directory.Checks;
        var resolved = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.ResolveAsync(key.Hash, CancellationToken.None).AsTask()));
        Assert.All(resolved, r => Assert.Equal(key, r));
        Assert.Equal(1, _directory.Lookups);
        Assert.InRange(_directory.Checks - checks, 1, 2);

        // When the feed cannot be checked, the key is looked up again instead of trusted.
        _time.Advance(TimeSpan.FromSeconds(1.1));
        _directory.FailChecks = true;
        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.Equal(2, _directory.Lookups);
    }

    [Fact]
    public async Task A_key_revoked_elsewhere_is_dropped_at_the_next_check_and_stays_denied()
    {
        var key = _directory.AddKey("acme");
        var other = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.CheckRevocationsAsync(CancellationToken.None);
        Assert.NotNull(await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.NotNull(await cache.ResolveAsync(other.Hash, CancellationToken.None));

        _directory.Revoke(key); // through another server: this cache is not cleared
        _time.Advance(TimeSpan.FromMilliseconds(250));
        await cache.CheckRevocationsAsync(CancellationToken.None);

        Assert.False(cache.TryGet(key.Hash, out _));
        Assert.True(cache.TryGet(other.Hash, out _)); // only the revoked key is dropped
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await cache.ResolveAsync(key.Hash, CancellationToken.None));
            _time.Advance(TimeSpan.FromSeconds(6)); // past the unknown-key lifetime too
            await cache.CheckRevocationsAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_look_up_that_races_with_a_revocation_is_not_cached()
    {
        var key = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.CheckRevocationsAsync(CancellationToken.None);
        var gate = new TaskCompletionSource();
        _directory.Gate = gate.Task;

        var lookup = cache.ResolveAsync(key.Hash, CancellationToken.None).AsTask(); // answered before the revocation
        _directory.Gate = null;
        _directory.Revoke(key);
        await cache.CheckRevocationsAsync(CancellationToken.None);
        gate.SetResult();
        Assert.NotNull(await lookup);

        Assert.False(cache.TryGet(key.Hash, out _));
        Assert.Null(await cache.ResolveAsync(key.Hash, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_directory_epoch_drops_every_cached_key()
    {
        var key = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.CheckRevocationsAsync(CancellationToken.None);
        Assert.NotNull(await cache.ResolveAsync(key.Hash, CancellationToken.None));

        _directory.Epoch = Guid.NewGuid(); // the directory grain was reactivated: its feed starts again
        await cache.CheckRevocationsAsync(CancellationToken.None);

        Assert.False(cache.TryGet(key.Hash, out _));
    }

    [Fact]
    public async Task The_warm_up_checks_the_feed_and_asks_the_directory_once_but_caches_nothing()
    {
        var key = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);

        await cache.WarmUpAsync(CancellationToken.None);

        Assert.Equal((1, 1), (_directory.Checks, _directory.Lookups));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Unknown.Count);
        Assert.False(cache.TryGet(key.Hash, out _));

        // The feed it started is fresh: the first request's key is one look-up, then served from the cache.
        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None));
        Assert.Equal((1, 2), (_directory.Checks, _directory.Lookups));
    }

    [Fact]
    public async Task A_key_revoked_or_deleted_after_the_warm_up_never_works()
    {
        var revoked = _directory.AddKey("acme");
        var cache = new ApiKeyCache(_time, _directory, Settings);
        await cache.WarmUpAsync(CancellationToken.None);

        _directory.Revoke(revoked); // through another server, before any request presented it
        Assert.Null(await cache.ResolveAsync(revoked.Hash, CancellationToken.None));

        // Presented, cached, then revoked elsewhere: refused from the next check on, and through this server at once.
        var other = _directory.AddKey("acme");
        Assert.NotNull(await cache.ResolveAsync(other.Hash, CancellationToken.None));
        cache.Remove("acme", other.Id);
        _directory.Revoke(other);
        Assert.Null(await cache.ResolveAsync(other.Hash, CancellationToken.None));
    }

    [Fact]
    public async Task A_directory_that_does_not_answer_the_warm_up_is_a_warning_and_the_server_starts()
    {
        _directory.FailChecks = true;
        var cache = new ApiKeyCache(_time, _directory, Settings);
        var logger = new ListLogger<ApiKeyDirectoryWarmup>();
        var warmup = new ApiKeyDirectoryWarmup(cache, Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()), logger);

        await warmup.StartedAsync(CancellationToken.None);

        Assert.Contains(logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        var key = _directory.AddKey("acme");
        Assert.Equal(key, await cache.ResolveAsync(key.Hash, CancellationToken.None)); // looked up, as without it
    }

    /// <summary>A tenant directory that counts look-ups and keeps a revocation feed like the grain's.</summary>
    private sealed class FakeDirectory : IApiKeyDirectory
    {
        private readonly Dictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
        private readonly List<string> _revoked = [];
        private int _lookups;
        private int _checks;

        public int Lookups => Volatile.Read(ref _lookups);

        public Guid Epoch { get; set; } = Guid.NewGuid();

        public Task? Gate { get; set; }

        public ApiKeyRecord AddKey(string tenant)
        {
            var record = new ApiKeyRecord("key_" + Guid.NewGuid().ToString("N")[..8], tenant, "test", ApiKeys.Hash(ApiKeys.NewSecret()), DateTimeOffset.UnixEpoch);
            lock (_keys)
            {
                _keys[record.Hash] = record;
            }

            return record;
        }

        public void Revoke(ApiKeyRecord record)
        {
            lock (_keys)
            {
                _keys.Remove(record.Hash);
                _revoked.Add(record.Hash);
            }
        }

        public async Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lookups);
            ApiKeyRecord? record;
            lock (_keys)
            {
                record = _keys.GetValueOrDefault(hash);
            }

            if (Gate is { } gate)
            {
                await gate;
            }

            return record;
        }

        public int Checks => Volatile.Read(ref _checks);

        public bool FailChecks { get; set; }

        public Task<KeyRevocations> GetRevocationsAsync(Guid epoch, long sinceVersion, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checks);
            if (FailChecks)
            {
                return Task.FromException<KeyRevocations>(new TimeoutException("the directory did not answer"));
            }

            lock (_keys)
            {
                return Task.FromResult(epoch != Epoch
                    ? new KeyRevocations(Epoch, _revoked.Count, [], Complete: false)
                    : new KeyRevocations(Epoch, _revoked.Count, _revoked.Skip((int)sinceVersion).ToList(), Complete: true));
            }
        }
    }
}
