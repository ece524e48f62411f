using System.Globalization;
using System.Net;
using System.Text.Json;
using MemoryFabric.Client;

namespace MemoryFabric.Mcp.Errors;

/// <summary>Turns what a tool call threw into the error the caller sees: a <see cref="MemoryFabricToolException"/>
/// with a message that says what to change. Only the project's own errors and the fabric's answers (problem details)
/// are shown; anything else is an internal error that says nothing about internals.</summary>
internal static class ToolErrors
{
    /// <summary>Translates an exception.</summary>
    /// <param name="exception">What the call threw.</param>
    /// <param name="tool">The tool's name, for messages.</param>
    /// <param name="bodyStarted">Whether the tool's body ran (its arguments were bound).</param>
    /// <returns>The error to report, or <see langword="null"/> for an unexpected failure (an internal error, to be
    /// logged).</returns>
    public static MemoryFabricToolException? Translate(Exception exception, string tool, bool bodyStarted) => exception switch
    {
        MemoryFabricToolException known => known,
        MemoryFabricApiException api => FromApi(api, tool),
        TimeoutException => new(ToolOutcomes.Unavailable, "The memory fabric did not answer in time; retry the call."),
        HttpRequestException http => new(ToolOutcomes.Unavailable, $"Cannot reach the MemoryFabric server: {OneLine(http.Message)} Check that it runs and the URL (--url, MEMORYFABRIC_URL)."),
        // The SDK binds arguments before the tool runs: a value of the wrong JSON type lands here.
        ArgumentException argument => MemoryFabricToolException.Invalid($"Invalid arguments for {tool}: {CleanArgumentMessage(argument)}"),
        JsonException when bodyStarted => new(ToolOutcomes.Unavailable, "The server did not answer like a MemoryFabric server; check the URL (--url, MEMORYFABRIC_URL)."),
        JsonException json => MemoryFabricToolException.Invalid($"Invalid arguments for {tool}: {Readable(json.Message)}; the tool's input schema gives each argument's type."),
        _ => null,
    };

    /// <summary>The message of an internal error: no exception text, a trace id to find the log line.</summary>
    /// <param name="traceId">The trace id the failure is logged with.</param>
    /// <returns>The message.</returns>
    public static string InternalMessage(string traceId) =>
        $"The memory fabric failed to handle the call; the error is logged with trace id {traceId}. Retrying may help; if it persists, report the trace id.";

    private static MemoryFabricToolException FromApi(MemoryFabricApiException e, string tool)
    {
        var detail = OneLine(e.Problem.Detail ?? e.Problem.Title ?? e.Message);
        return e.StatusCode switch
        {
            HttpStatusCode.BadRequest => MemoryFabricToolException.Invalid(detail),
            HttpStatusCode.NotFound => MemoryFabricToolException.NotFound(detail + " " + NotFoundHint(detail)),
            HttpStatusCode.Unauthorized => MemoryFabricToolException.Forbidden($"The server refused the API key: {detail} Check the key (--key, MEMORYFABRIC_API_KEY)."),
            HttpStatusCode.Forbidden => MemoryFabricToolException.Forbidden(RequiredScope(e) is { } scope
                ? MissingScope(scope, tool)
                : $"The server refused {tool}: {detail}"),
            HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => MemoryFabricToolException.Conflict(detail),
            HttpStatusCode.RequestEntityTooLarge => MemoryFabricToolException.Invalid($"The call is larger than the server accepts: {detail} Send fewer or shorter turns."),
            HttpStatusCode.InsufficientStorage => new(ToolOutcomes.Unavailable,
                $"The memory fabric's storage is full: {detail} Retry once space is freed; reading memories still works."),
            HttpStatusCode.InternalServerError when e.Problem.Type?.EndsWith("/unsupported-format", StringComparison.Ordinal) == true => new(ToolOutcomes.Internal,
                $"The memory fabric cannot read this agent's stored data: {detail}"),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => new(ToolOutcomes.Unavailable,
                $"The memory fabric is busy: {detail} Retry{(e.RetryAfter is { } after ? " in " + Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s" : " shortly")}; nothing was stored."),
            _ => new(ToolOutcomes.Internal, "The memory fabric failed to handle the call" + (e.Problem.Extensions?.TryGetValue("traceId", out var id) == true ? $" (trace id {id})" : string.Empty) + ". Retrying may help."),
        };
    }

    /// <summary>What a caller whose key lacks a scope reads.</summary>
    /// <param name="scope">The missing scope.</param>
    /// <param name="tool">The tool.</param>
    /// <returns>The message.</returns>
    public static string MissingScope(string scope, string tool) =>
        $"This API key lacks the '{scope}' scope, which {tool} needs; nothing was done. Use a key created with the '{scope}' scope (POST /v1/admin/tenants/{{tenant}}/keys with \"scopes\").";

    private static string NotFoundHint(string detail) => detail.StartsWith("No agent", StringComparison.Ordinal)
        ? "Nothing is stored under that agent for this key's tenant: check the name (list_agents lists them), or store memories with add_memory first."
        : "Check the id: search_memory and list_notes show the ids that exist.";

    private static string? RequiredScope(MemoryFabricApiException e) =>
        e.Problem.Extensions?.TryGetValue("requiredScope", out var scope) == true && scope.ValueKind == JsonValueKind.String ? scope.GetString() : null;

    // System.Text.Json names .NET types and byte positions; a caller knows JSON types and argument names.
    private static string Readable(string message)
    {
        var text = OneLine(message);
        var cut = text.IndexOf(" | LineNumber:", StringComparison.Ordinal);
        text = cut > 0 ? text[..cut] : text;
        text = text.Replace(" Path: $.", " At: ", StringComparison.Ordinal).Replace(" Path: $", string.Empty, StringComparison.Ordinal);
        foreach (var (type, name) in TypeNames)
        {
            text = text.Replace(type, name, StringComparison.Ordinal);
        }

        return text.TrimEnd('.');
    }

    private static readonly (string Type, string Name)[] TypeNames =
    [
        ("System.Nullable`1[System.Int32]", "an integer"),
        ("System.Int32", "an integer"),
        ("System.String", "a string"),
        ("System.Collections.Generic.IReadOnlyList`1[MemoryFabric.Mcp.Tools.TurnArgument]", "an array of turns"),
        ("type 'MemoryFabric.Mcp.Tools.TurnArgument'", "a turn"),
        ("MemoryFabric.Mcp.Tools.TurnArgument", "a turn"),
    ];

    private static string CleanArgumentMessage(ArgumentException e)
    {
        var cut = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return OneLine(cut > 0 ? e.Message[..cut] : e.Message);
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
