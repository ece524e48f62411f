using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;

namespace MemoryFabric.Server.Http;

/// <summary>Turns exceptions into problem+json. Only the project's own request errors say what went wrong:
/// <see cref="RequestRejectedException"/> (body readers, validators), <see cref="MemoryInputException"/> (400) and
/// <see cref="MemoryItemNotFoundException"/> (404) and <see cref="Notes.NoteConflictException"/> (409, 412) from the
/// engine and the grains, <see cref="BadHttpRequestException"/>,
/// <see cref="StorageBusyException"/> and <see cref="Embeddings.EmbedderOverloadedException"/> (503 with
/// <c>Retry-After</c>), <see cref="StorageFullException"/> (507, also when wrapped), <see cref="AgentNotFoundException"/>
/// and <see cref="TenantExistsException"/>; <see cref="Persistence.UnsupportedFormatException"/> (data written by a newer
/// release) is a 500 of its own type, <c>unsupported-format</c>, that says so.
/// Anything else, a plain <see cref="ArgumentException"/> or <see cref="KeyNotFoundException"/> included (from a grain
/// call or not), is a bug: a 500 that says nothing about internals but carries a trace id, and is logged with it.</summary>
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            if (StorageFullException.Find(e) is not null)
            {
                // Possibly wrapped (Orleans' grain storage bridge): a full store is never a 500.
                await Problems.WriteAsync(context, StatusCodes.Status507InsufficientStorage, "storage-full", "Storage is full",
                    StorageFullException.ProblemDetail).ConfigureAwait(false);
                return;
            }

            if (Persistence.UnsupportedFormatException.Find(e) is { } newer)
            {
                // Data written by a newer release (a rollback): not a bug, and nothing a retry or the client can change.
                LogNewerFormat(logger, newer, context.Request.Method, context.Request.Path);
                var problem = Problems.Create(context, StatusCodes.Status500InternalServerError, "unsupported-format", "Stored data is in a newer format",
                    newer.ProblemDetail);
                problem.Extensions["format"] = newer.Format;
                problem.Extensions["version"] = newer.Version;
                problem.Extensions["newestSupported"] = newer.NewestSupported;
                await Problems.WriteAsync(context, problem).ConfigureAwait(false);
                return;
            }

            switch (e)
            {
                case RequestRejectedException r:
                    if (r.Status == StatusCodes.Status503ServiceUnavailable)
                    {
                        context.Response.Headers.RetryAfter = "1"; // e.g. agent-unavailable: its silo is being replaced
                    }

                    await Problems.WriteAsync(context, r.Status, r.Slug, r.Title, r.Message).ConfigureAwait(false);
                    break;
                case MemoryInputException input:
                    await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", input.Reason).ConfigureAwait(false);
                    break;
                case MemoryItemNotFoundException missing:
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found", missing.Message).ConfigureAwait(false);
                    break;
                case Notes.NoteConflictException conflict:
                    await Problems.WriteAsync(context, NoteConflictProblem(context, conflict)).ConfigureAwait(false);
                    break;
                case BadHttpRequestException b:
                    await Problems.WriteAsync(context, b.StatusCode, b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "body-too-large" : "bad-request",
                        b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "Bad request", b.Message).ConfigureAwait(false);
                    break;
                case StorageBusyException busy:
                    context.Response.Headers.RetryAfter = "1";
                    await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "storage-busy", "Storage is busy", busy.Message).ConfigureAwait(false);
                    break;
                case Embeddings.EmbedderOverloadedException overloaded:
                    // A fast refusal instead of a long queue: nothing was done, the same request may be retried.
                    context.Response.Headers.RetryAfter = RetryAfterSeconds(overloaded.RetryAfter);
                    await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "embedder-overloaded", "The encoder is overloaded", overloaded.Message).ConfigureAwait(false);
                    break;
                case Embeddings.EmbeddingDeadlineExceededException late:
                    context.Response.Headers.RetryAfter = "1";
                    await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "embedder-busy", "The encoder is busy", late.Message).ConfigureAwait(false);
                    break;
                case AgentNotFoundException:
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found", AgentDetail(context)).ConfigureAwait(false);
                    break;
                case MemoryFabric.Orleans.TenantIndex.TenantIndexDisabledException off:
                    await Problems.WriteAsync(context, StatusCodes.Status501NotImplemented, "tenant-index-disabled", "The tenant index is off", off.Message).ConfigureAwait(false);
                    break;
                case TenantExistsException t:
                    await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "conflict", "Conflict", t.Message).ConfigureAwait(false);
                    break;
                case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                    context.Response.StatusCode = 499; // the client went away; nobody reads this
                    break;
                default:
                    var traceId = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
                    LogUnhandled(logger, e, context.Request.Method, context.Request.Path, traceId);
                    var problem = Problems.Create(context, StatusCodes.Status500InternalServerError, "internal", "Internal error",
                        "The server failed to handle the request; the error is logged with this trace id. Nothing acknowledged was lost.");
                    problem.Extensions["traceId"] = traceId;
                    await Problems.WriteAsync(context, problem).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>A refused note write: 409 for an id that names a version that is not current, 412 for a stale
    /// <c>If-Match</c>; both name the current version (<c>currentId</c>, <c>currentVersion</c>, <c>currentStatus</c>).</summary>
    private static Microsoft.AspNetCore.Mvc.ProblemDetails NoteConflictProblem(HttpContext context, Notes.NoteConflictException conflict)
    {
        var stale = conflict.Kind == Notes.NoteConflictKind.VersionMismatch;
        var problem = stale
            ? Problems.Create(context, StatusCodes.Status412PreconditionFailed, "precondition-failed", "Precondition failed", conflict.Message)
            : Problems.Create(context, StatusCodes.Status409Conflict, "note-not-current", "The note version is not current", conflict.Message);
        problem.Extensions["currentId"] = conflict.CurrentId;
        problem.Extensions["currentVersion"] = conflict.CurrentVersion;
        problem.Extensions["currentStatus"] = conflict.CurrentStatus is { } status ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString()) : null;
        return problem;
    }

    // Retry-After in whole seconds, at least one.
    private static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (int)Math.Ceiling(Math.Min(delay.TotalSeconds, int.MaxValue))).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The same detail for an agent that does not exist and an agent of another tenant.</summary>
    public static string AgentDetail(HttpContext context) =>
        $"No agent named '{context.Request.RouteValues["agent"]}'.";

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path}: the stored data is in a newer format than this build reads")]
    private static partial void LogNewerFormat(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path} (trace id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path, string traceId);
}
