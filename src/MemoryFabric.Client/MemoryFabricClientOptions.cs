namespace MemoryFabric.Client;

/// <summary>Options of <see cref="MemoryFabricClient"/> and <see cref="MemoryFabricAdminClient"/>.</summary>
public sealed class MemoryFabricClientOptions
{
    /// <summary>The endpoint used when none is configured: <c>http://127.0.0.1:5080/</c>.</summary>
    public static Uri DefaultEndpoint { get; } = new("http://127.0.0.1:5080/");

    private Uri? _endpoint;

    /// <summary>The server's base address (default <see cref="DefaultEndpoint"/>). A path base is kept:
    /// <c>https://host/memory</c> sends <c>https://host/memory/v1/...</c>.</summary>
    /// <remarks>When this is left unset and the <see cref="HttpClient"/> given to the client has a
    /// <see cref="HttpClient.BaseAddress"/>, that address is used instead (convenient with a test server's client).</remarks>
    public Uri Endpoint
    {
        get => _endpoint ?? DefaultEndpoint;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!value.IsAbsoluteUri)
            {
                throw new ArgumentException("The endpoint must be an absolute URI.", nameof(value));
            }

            _endpoint = value;
        }
    }

    /// <summary>The API key sent as <c>Authorization: Bearer</c>: a tenant key (<c>mfk_...</c>) for
    /// <see cref="IMemoryFabricClient"/>, the admin key for <see cref="IMemoryFabricAdminClient"/>. No header is sent
    /// when <see langword="null"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How many turns the batching <c>IngestAsync</c> overload sends per request (default 1,000, the server's
    /// default limit).</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long one attempt of a request may take, body included (default 100 seconds);
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit. For the streaming export it covers the
    /// wait for the response headers only. An attempt that times out throws <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How many times a request is retried after a 429 (Too Many Requests) or a 503 (Service Unavailable)
    /// answer (default 3; 0 disables retries). Requests that may change state (ingest without turn ids, note writes,
    /// import, consolidation, creations) are retried on 429 only, when the server did nothing.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The wait before the first retry when the server sends no <c>Retry-After</c> (default 1 second); it
    /// doubles with each further retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait the client accepts before a retry (default 30 seconds). When the server's
    /// <c>Retry-After</c> asks for more, the client does not retry and throws at once, exposing
    /// <see cref="MemoryFabricApiException.RetryAfter"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of retry waits and <c>Retry-After</c> dates (a test seam).</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Whether <see cref="Endpoint"/> was set explicitly.</summary>
    internal bool HasEndpoint => _endpoint is not null;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, TimeSpan.Zero, nameof(MaxRetryDelay));
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan && Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive or infinite.");
        }
    }
}
