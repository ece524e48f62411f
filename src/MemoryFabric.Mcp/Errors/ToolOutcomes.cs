namespace MemoryFabric.Mcp.Errors;

/// <summary>How a tool call ended: the <c>outcome</c> tag of the tool metrics and traces.</summary>
public static class ToolOutcomes
{
    /// <summary>The tool answered.</summary>
    public const string Ok = "ok";

    /// <summary>An argument was missing, malformed, out of range or too large.</summary>
    public const string InvalidArguments = "invalid_arguments";

    /// <summary>The agent, note or cursor named does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>The caller's key lacks the scope the tool needs, or was refused.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The call conflicts with the current state (a stale version).</summary>
    public const string Conflict = "conflict";

    /// <summary>The fabric is busy or unreachable; the call may be retried.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The server failed (a bug); logged with a trace id.</summary>
    public const string Internal = "internal_error";

    /// <summary>The caller cancelled the call.</summary>
    public const string Cancelled = "cancelled";
}
