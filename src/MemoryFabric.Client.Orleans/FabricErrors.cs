using System.Net;
using System.Text.Json;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Persistence;
using Orleans.Runtime;

namespace MemoryFabric.Client.Orleans;

/// <summary>The errors of <see cref="OrleansMemoryFabricClient"/>, made as the HTTP API makes them (its
/// <c>ErrorHandlingMiddleware</c> and endpoints), so that a caller sees the same <see cref="MemoryFabricApiException"/>
/// status and problem with either client.</summary>
internal static class FabricErrors
{
    private const string TypeBase = "https://memoryfabric.dev/problems/";

    /// <summary>A 400: what the caller sent is invalid.</summary>
    /// <param name="operation">The client method, for the message.</param>
    /// <param name="detail">What is wrong.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricApiException Invalid(string operation, string detail) =>
        Create(HttpStatusCode.BadRequest, "invalid-request", "The request is invalid", detail, operation);

    /// <summary>A 404: the agent, note, item or lesson does not exist.</summary>
    /// <param name="operation">The client method, for the message.</param>
    /// <param name="detail">What was not found.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricApiException NotFound(string operation, string detail) =>
        Create(HttpStatusCode.NotFound, "not-found", "Not found", detail, operation);

    /// <summary>The detail of a 404 for an agent: the same for an agent never written and one of another tenant
    /// (which this client cannot name anyway).</summary>
    /// <param name="agent">The agent's name.</param>
    /// <returns>The detail.</returns>
    public static string NoAgent(string agent) => $"No agent named '{agent}'.";

    /// <summary>Translates what a grain call threw into what the HTTP client would throw for the same failure.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <param name="operation">The client method.</param>
    /// <param name="agent">The agent called, if any.</param>
    /// <returns>The exception to throw instead, or <see langword="null"/> to let the original propagate: the
    /// caller's cancellation, a timeout and Orleans' own failures (the cluster unreachable, a gateway too busy), which
    /// are the analogues of the HTTP client's <see cref="OperationCanceledException"/>,
    /// <see cref="TimeoutException"/> and <see cref="HttpRequestException"/>.</returns>
    public static Exception? Translate(Exception exception, string operation, string? agent)
    {
        // Possibly wrapped (Orleans' grain storage bridge, a reader's InvalidDataException): as the server finds them.
        if (StorageFullException.Find(exception) is not null)
        {
            return Create(HttpStatusCode.InsufficientStorage, "storage-full", "Storage is full",
                StorageFullException.ProblemDetail, operation);
        }

        if (UnsupportedFormatException.Find(exception) is { } newer)
        {
            return Create(HttpStatusCode.InternalServerError, "unsupported-format", "Stored data is in a newer format",
                newer.ProblemDetail, operation);
        }

        return Translated(exception, operation, agent);
    }

    private static Exception? Translated(Exception exception, string operation, string? agent) => exception switch
    {
        MemoryFabricApiException or OperationCanceledException or TimeoutException or OrleansException => null,
        global::MemoryFabric.Orleans.TenantIndex.TenantIndexDisabledException off => Create(HttpStatusCode.NotImplemented, "tenant-index-disabled", "The tenant index is off", off.Message, operation),
        StorageBusyException busy => Create(HttpStatusCode.ServiceUnavailable, "storage-busy", "Storage is busy", busy.Message, operation, TimeSpan.FromSeconds(1)),
        Embeddings.EmbedderOverloadedException overloaded => Create(HttpStatusCode.ServiceUnavailable, "embedder-overloaded", "The encoder is overloaded", overloaded.Message, operation, overloaded.RetryAfter),
        AgentNotFoundException => NotFound(operation, NoAgent(agent ?? string.Empty)),
        MemoryItemNotFoundException k => NotFound(operation, k.Message),
        MemoryInputException a => Invalid(operation, a.Reason),
        NoteConflictException c => Conflict(c, operation),
        // The server answers anything else with a 500 (and logs it), a plain ArgumentException or KeyNotFoundException
        // included (a bug, not the caller's error); in process the cause is kept as the inner exception.
        _ => new MemoryFabricApiException(
            $"MemoryFabric request {operation} failed with 500 (InternalServerError): {exception.GetType().Name}: {exception.Message}", exception),
    };

    /// <summary>A 409 or 412 for a refused note write, with the problem the server sends (<c>currentId</c>,
    /// <c>currentVersion</c>, <c>currentStatus</c>).</summary>
    /// <param name="conflict">What the grain threw.</param>
    /// <param name="operation">The client method, for the message.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricConflictException Conflict(NoteConflictException conflict, string operation)
    {
        var stale = conflict.Kind == NoteConflictKind.VersionMismatch;
        var status = stale ? HttpStatusCode.PreconditionFailed : HttpStatusCode.Conflict;
        var problem = new MemoryFabricProblem
        {
            Type = TypeBase + (stale ? "precondition-failed" : "note-not-current"),
            Title = stale ? "Precondition failed" : "The note version is not current",
            Status = (int)status,
            Detail = conflict.Message,
            Extensions = new Dictionary<string, JsonElement>
            {
                ["currentId"] = JsonSerializer.SerializeToElement(conflict.CurrentId),
                ["currentVersion"] = JsonSerializer.SerializeToElement(conflict.CurrentVersion),
                ["currentStatus"] = JsonSerializer.SerializeToElement(conflict.CurrentStatus is { } s ? JsonNamingPolicy.CamelCase.ConvertName(s.ToString()) : null),
            },
        };
        return new MemoryFabricConflictException(status, problem, conflict, operation);
    }

    private static MemoryFabricApiException Create(HttpStatusCode status, string slug, string title, string detail, string operation, TimeSpan? retryAfter = null) =>
        new(status, new MemoryFabricProblem { Type = TypeBase + slug, Title = title, Status = (int)status, Detail = detail }, retryAfter: retryAfter, method: operation);
}
