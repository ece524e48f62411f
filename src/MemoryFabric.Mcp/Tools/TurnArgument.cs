using System.ComponentModel;

namespace MemoryFabric.Mcp.Tools;

/// <summary>One turn of <c>add_memory</c>'s batch form (<c>turns</c>).</summary>
public sealed record TurnArgument
{
    /// <summary>What was said.</summary>
    [Description("What was said, verbatim. Required.")]
    public required string Text { get; init; }

    /// <summary>Who said it; the call's <c>speaker</c>, else the default, when left out.</summary>
    [Description("Who said it, e.g. \"Alice\" or \"assistant\" (default: the call's speaker, else \"user\").")]
    public string? Speaker { get; init; }

    /// <summary>The conversation it belongs to; the call's <c>session</c>, else the default, when left out.</summary>
    [Description("The conversation it belongs to (default: the call's session, else \"mcp\").")]
    public string? Session { get; init; }

    /// <summary>When it was said (ISO 8601); the call's <c>timestamp</c>, else now, when left out.</summary>
    [Description("When it was said, ISO 8601, e.g. 2024-05-05T10:00:00Z (default: the call's timestamp, else now).")]
    public string? Timestamp { get; init; }
}
