using ModelContextProtocol;

namespace MemoryFabric.Mcp.Errors;

/// <summary>A tool call refused or failed for a reason the caller can act on: it becomes a tool result with
/// <c>isError</c> and this message (never a protocol error, never a stack trace). Nothing is stored by a call that
/// ends in one before it reached the fabric.</summary>
public sealed class MemoryFabricToolException : McpException
{
    /// <summary>Initializes a new instance (outcome <see cref="ToolOutcomes.InvalidArguments"/>).</summary>
    public MemoryFabricToolException()
        : this(ToolOutcomes.InvalidArguments, "The tool call is invalid.")
    {
    }

    /// <summary>Initializes a new instance (outcome <see cref="ToolOutcomes.InvalidArguments"/>).</summary>
    /// <param name="message">What to change.</param>
    public MemoryFabricToolException(string message)
        : this(ToolOutcomes.InvalidArguments, message)
    {
    }

    /// <summary>Initializes a new instance (outcome <see cref="ToolOutcomes.InvalidArguments"/>).</summary>
    /// <param name="message">What to change.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryFabricToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Outcome = ToolOutcomes.InvalidArguments;
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="outcome">What kind of failure (<see cref="ToolOutcomes"/>), for metrics and traces.</param>
    /// <param name="message">What went wrong and what to change.</param>
    /// <param name="innerException">The cause, if any (never shown to the caller).</param>
    public MemoryFabricToolException(string outcome, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        Outcome = outcome;
    }

    /// <summary>What kind of failure (<see cref="ToolOutcomes"/>).</summary>
    public string Outcome { get; }

    /// <summary>A bad argument.</summary>
    /// <param name="message">What to change.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricToolException Invalid(string message) => new(ToolOutcomes.InvalidArguments, message);

    /// <summary>Something named does not exist.</summary>
    /// <param name="message">What was not found and where to find ids.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricToolException NotFound(string message) => new(ToolOutcomes.NotFound, message);

    /// <summary>The caller's key may not do this.</summary>
    /// <param name="message">Which scope is missing.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricToolException Forbidden(string message) => new(ToolOutcomes.Forbidden, message);

    /// <summary>The call conflicts with the current state (a stale version).</summary>
    /// <param name="message">What is current and what to send.</param>
    /// <returns>The exception.</returns>
    public static MemoryFabricToolException Conflict(string message) => new(ToolOutcomes.Conflict, message);
}
