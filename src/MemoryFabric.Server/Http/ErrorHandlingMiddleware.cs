using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;

namespace MemoryFabric.Server.Http;

/// <summary>Turns exceptions into problem+json: what the caller got wrong is a 4xx with the reason, anything else a
/// 500 that says nothing about internals (it is logged).</summary>
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
            switch (e)
            {
                case RequestRejectedException r:
                    await Problems.WriteAsync(context, r.Status, r.Slug, r.Title, r.Message).ConfigureAwait(false);
                    break;
                case BadHttpRequestException b:
                    await Problems.WriteAsync(context, b.StatusCode, b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "body-too-large" : "bad-request",
                        b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "Bad request", b.Message).ConfigureAwait(false);
                    break;
                case StorageBusyException busy:
                    context.Response.Headers.RetryAfter = "1";
                    await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "storage-busy", "Storage is busy", busy.Message).ConfigureAwait(false);
                    break;
                case AgentNotFoundException:
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found", AgentDetail(context)).ConfigureAwait(false);
                    break;
                case KeyNotFoundException k:
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found", k.Message).ConfigureAwait(false);
                    break;
                case TenantExistsException t:
                    await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "conflict", "Conflict", t.Message).ConfigureAwait(false);
                    break;
                case ArgumentException a:
                    await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", CleanArgumentMessage(a)).ConfigureAwait(false);
                    break;
                case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                    context.Response.StatusCode = 499; // the client went away; nobody reads this
                    break;
                default:
                    LogUnhandled(logger, e, context.Request.Method, context.Request.Path);
                    await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal", "Internal error",
                        "The server failed to handle the request; the error is logged. Nothing acknowledged was lost.").ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>The same detail for an agent that does not exist and an agent of another tenant.</summary>
    public static string AgentDetail(HttpContext context) =>
        $"No agent named '{context.Request.RouteValues["agent"]}'.";

    private static string CleanArgumentMessage(ArgumentException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
