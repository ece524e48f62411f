namespace MemoryFabric.Client.Http;

/// <summary>One API call, replayable for retries: the content is made anew for each attempt.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path relative to the endpoint, query included, e.g. <c>v1/agents/bob/turns</c>.</param>
/// <param name="Content">Makes the request body for an attempt; <see langword="null"/> for none.</param>
/// <param name="Retry">When the call may be repeated.</param>
/// <param name="Accept">The media type accepted.</param>
internal sealed record ApiRequest(
    HttpMethod Method,
    string Path,
    Func<HttpContent>? Content,
    RetryMode Retry,
    string Accept = "application/json")
{
    /// <summary>Whether a 404 is an answer (returned to the caller) rather than an error.</summary>
    public bool NotFoundIsResult { get; init; }

    /// <summary>Whether the response body is streamed (headers read, body left to the caller).</summary>
    public bool StreamResponse { get; init; }

    /// <summary>The version the request's <c>If-Match</c> expects (a note's ETag), or none.</summary>
    public int? IfMatchVersion { get; init; }
}
