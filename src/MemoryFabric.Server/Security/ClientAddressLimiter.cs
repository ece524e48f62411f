using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Server.Http;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Security;

/// <summary>
/// Token buckets by client address (IPv4 address, or IPv6 /64 prefix) for the requests a server cannot authenticate
/// from memory: <see cref="MemoryFabricServerOptions.AddressRateLimitPerSecond"/> sustained,
/// <see cref="MemoryFabricServerOptions.AddressRateLimitBurst"/> at once. At most <see cref="MaxAddresses"/> addresses
/// are tracked; beyond, idle ones (full buckets) are dropped, and new addresses share one overflow bucket while the
/// table stays full, so memory is bounded whatever addresses a flood comes from. Uses the server's
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ClientAddressLimiter
{
    /// <summary>The most addresses tracked.</summary>
    public const int MaxAddresses = 65_536;

    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _burst;
    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, Bucket> _buckets = [];
    private readonly Bucket _overflow;

    /// <summary>Creates the limiter from the server's settings.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="options">The server's settings.</param>
    public ClientAddressLimiter(TimeProvider time, IOptions<MemoryFabricServerOptions> options)
        : this(time, options.Value.AddressRateLimitPerSecond, options.Value.AddressRateLimitBurst)
    {
    }

    /// <summary>Creates a limiter.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="perSecond">Requests per second per address (0 or less: no limit).</param>
    /// <param name="burst">Requests at once per address (at least 1).</param>
    internal ClientAddressLimiter(TimeProvider time, int perSecond, int burst)
    {
        _time = time;
        _perSecond = Math.Max(0, perSecond);
        _burst = Math.Max(1, burst);
        _overflow = new Bucket(_burst, time.GetTimestamp());
    }

    /// <summary>Whether the limit is on.</summary>
    public bool Enabled => _perSecond > 0;

    /// <summary>Addresses tracked now.</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes one request from an address's bucket.</summary>
    /// <param name="address">The client's address; <see langword="null"/> (in-memory test server, Unix socket) is not
    /// limited.</param>
    /// <param name="retryAfter">When refused, how long until the bucket holds a request again.</param>
    /// <returns>Whether the request may go on.</returns>
    public bool TryAcquire(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled || address is null)
        {
            return true;
        }

        var key = Partition(address);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= MaxAddresses)
                {
                    DropIdle(now);
                }

                if (_buckets.Count < MaxAddresses)
                {
                    bucket = new Bucket(_burst, now);
                    _buckets[key] = bucket;
                }
                else
                {
                    bucket = _overflow;
                }
            }

            Refill(bucket, now);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / _perSecond);
            return false;
        }
    }

    /// <summary>The partition of an address: IPv4 (mapped IPv6 included) by address, IPv6 by /64 prefix (one
    /// subscriber's network).</summary>
    internal static UInt128 Partition(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes[12..], out _);
            return new UInt128(0, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]));
        }

        address.TryWriteBytes(bytes, out _);
        return new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), ulong.MaxValue); // low half: a /64 marker, never an IPv4 value
    }

    private void Refill(Bucket bucket, long now)
    {
        var elapsed = _time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
        if (elapsed > 0)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed * _perSecond));
            bucket.Updated = now;
        }
    }

    private void DropIdle(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            Refill(bucket, now);
            if (bucket.Tokens >= _burst)
            {
                _buckets.Remove(key);
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}

/// <summary>
/// Limits, per client address and before authentication, the <c>/v1</c> and <c>/mcp</c> requests this server cannot authenticate
/// from memory: no key, an unknown or revoked key, or a tenant key not cached yet (each of which would otherwise be a
/// look-up in the tenant directory grain every tenant shares). Requests with the admin key or a cached tenant key go
/// on without a token (the tenant's own limit applies after authentication). Refused requests get 429
/// problem+json with <c>Retry-After</c>.
/// </summary>
internal sealed class ClientAddressRateLimitMiddleware(RequestDelegate next, ClientAddressLimiter limiter, ApiKeyCache cache, AdminKey adminKey)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!limiter.Enabled || !ApiKeyAuthenticationHandler.IsKeyedPath(context.Request.Path) || IsKnownKey(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!limiter.TryAcquire(context.Connection.RemoteIpAddress, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var options = context.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                $"This address sent too many requests without a valid API key ({options.AddressRateLimitPerSecond}/s, MemoryFabric:AddressRateLimitPerSecond); retry after the Retry-After delay.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private bool IsKnownKey(HttpContext context) =>
        ApiKeyAuthenticationHandler.ReadPresentedKey(context) is { } key // hashed once; authentication reuses it
        && (ApiKeys.HashesEqual(key.Hash, adminKey.Hash) || cache.IsRecentlyKnown(key.Hash));
}
