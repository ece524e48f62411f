namespace MemoryFabric.Client.Http;

/// <summary>When a request may be sent again.</summary>
internal enum RetryMode
{
    /// <summary>Never (the body cannot be replayed).</summary>
    None,

    /// <summary>After a 429 only: the server did nothing, so even a state-changing request is safe to repeat.</summary>
    OnTooManyRequests,

    /// <summary>After a 429 or a 503: the request is idempotent (a read, a PUT/DELETE, an ingest of identified
    /// turns).</summary>
    Idempotent,
}
