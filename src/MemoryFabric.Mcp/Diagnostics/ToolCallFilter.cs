using System.Diagnostics;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Errors;
using MemoryFabric.Mcp.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MemoryFabric.Mcp.Diagnostics;

/// <summary>The one place every MemoryFabric tool call passes through: it checks the caller's scope before the tool
/// reads its arguments, turns every failure into a tool result with <c>isError</c> and a message that says what to
/// change (internal failures say nothing about internals and are logged with a trace id), and counts, times and
/// traces the call by tool and outcome. Calls to other tools pass through untouched.</summary>
internal static partial class ToolCallFilter
{
    /// <summary>Wraps the call-tool handler.</summary>
    /// <param name="next">The handler.</param>
    /// <returns>The handler with the filter.</returns>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) => request.MatchedPrimitive?.Metadata.OfType<ToolScopeAttribute>().FirstOrDefault() is { } scope
            ? InvokeAsync(next, request, scope.Scope, cancellationToken)
            : next(request, cancellationToken);

    private static async ValueTask<CallToolResult> InvokeAsync(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next,
        RequestContext<CallToolRequestParams> request,
        string scope,
        CancellationToken cancellationToken)
    {
        var tool = request.Params?.Name ?? string.Empty;
        var services = request.Services ?? request.Server.Services ?? throw new InvalidOperationException("The MCP server has no services.");
        var telemetry = services.GetRequiredService<MemoryFabricMcpTelemetry>();
        using var activity = MemoryFabricMcpTelemetry.StartToolCall(tool);
        var start = Stopwatch.GetTimestamp();
        var invocation = ToolInvocation.Begin();
        var outcome = ToolOutcomes.Internal;
        try
        {
            var caller = await services.GetRequiredService<IMemoryFabricMcpAccess>().GetCallerAsync(cancellationToken).ConfigureAwait(false);
            if (!caller.Holds(scope))
            {
                throw MemoryFabricToolException.Forbidden(ToolErrors.MissingScope(scope, tool));
            }

            var result = await next(request, cancellationToken).ConfigureAwait(false);
            outcome = result.IsError == true ? "error" : ToolOutcomes.Ok;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = ToolOutcomes.Cancelled;
            throw;
        }
        catch (McpProtocolException)
        {
            outcome = "protocol_error"; // a protocol fault stays one (the SDK answers with a JSON-RPC error)
            throw;
        }
        catch (Exception e)
        {
            if (ToolErrors.Translate(e, tool, invocation.BodyStarted) is { } known)
            {
                outcome = known.Outcome;
                return Error(known.Message);
            }

            var traceId = (activity ?? Activity.Current)?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            LogFailure(services.GetService<ILoggerFactory>()?.CreateLogger(typeof(ToolCallFilter).FullName!), e, tool, traceId);
            return Error(ToolErrors.InternalMessage(traceId));
        }
        finally
        {
            telemetry.Completed(tool, outcome, Stopwatch.GetElapsedTime(start));
            if (activity is not null)
            {
                activity.SetTag("memoryfabric.mcp.outcome", outcome);
                if (outcome != ToolOutcomes.Ok)
                {
                    activity.SetStatus(ActivityStatusCode.Error, outcome);
                }
            }
        }
    }

    private static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    private static void LogFailure(ILogger? logger, Exception exception, string tool, string traceId)
    {
        if (logger is not null)
        {
            LogUnhandled(logger, exception, tool, traceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "MCP tool {Tool} failed (trace id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string tool, string traceId);
}
