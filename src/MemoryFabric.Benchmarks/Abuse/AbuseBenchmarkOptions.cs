namespace MemoryFabric.Benchmarks.Abuse;

/// <summary>The settings of <c>memfab bench abuse</c>: a good tenant's searches on a fixed schedule, first alone,
/// then while flood clients send requests with unknown keys.</summary>
public sealed class AbuseBenchmarkOptions
{
    /// <summary>Concurrent flood clients (closed loop, each as fast as the server answers). Default: 16.</summary>
    public int FloodClients { get; set; } = 16;

    /// <summary>Measured seconds of each phase (alone, then under the flood). Default: 5.</summary>
    public double DurationSeconds { get; set; } = 5;

    /// <summary>Seconds of the good tenant's searches before the first phase (not counted). Default: 2.</summary>
    public double WarmupSeconds { get; set; } = 2;

    /// <summary>The good tenant's searches per second, on a fixed schedule (open loop: latency from the scheduled
    /// time). Default: 200.</summary>
    public double SearchesPerSecond { get; set; } = 200;

    /// <summary>Turns ingested into the good tenant's agent before the measurement. Default: 500.</summary>
    public int Turns { get; set; } = 500;

    /// <summary>The flood's requests per second, all clients together, on a fixed schedule (a client that falls
    /// behind sends at once); 0 (the default) for as fast as the server answers.</summary>
    public double FloodRequestsPerSecond { get; set; }

    /// <summary>Whether every flood request carries a fresh random key (<see langword="true"/>, the default: no cache of
    /// unknown keys can help) or each flood client repeats one unknown key.</summary>
    public bool DistinctKeys { get; set; } = true;

    /// <summary>The loopback address the flood clients connect from (the good tenant connects from 127.0.0.1), so that
    /// the server sees them as another client; <see langword="null"/> to connect from the default address like the
    /// good tenant. Default: 127.0.0.2.</summary>
    public string? FloodSourceAddress { get; set; } = "127.0.0.2";

    /// <summary>The in-process server's embedder. Default: hashing (no model download).</summary>
    public string Embedder { get; set; } = "hashing";

    /// <summary>Extra server settings, <c>Name=Value</c> under <c>MemoryFabric:</c> (e.g.
    /// <c>AddressRateLimitPerSecond=0</c>).</summary>
    public IList<string> ServerSettings { get; } = [];

    /// <summary>The seed of the queries and random keys.</summary>
    public int Seed { get; set; } = 42;
}
