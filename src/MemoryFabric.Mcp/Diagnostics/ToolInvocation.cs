namespace MemoryFabric.Mcp.Diagnostics;

/// <summary>The tool call in progress on this async flow: set by the call filter, marked by the tool once its body
/// runs, so that the filter can tell an argument the SDK could not bind (before the body) from a malformed answer of
/// the fabric (inside it).</summary>
internal sealed class ToolInvocation
{
    private static readonly AsyncLocal<ToolInvocation?> CurrentInvocation = new();

    /// <summary>Whether the tool's body started (its arguments were bound).</summary>
    public bool BodyStarted { get; private set; }

    /// <summary>Starts tracking a call on this flow.</summary>
    /// <returns>The call.</returns>
    public static ToolInvocation Begin() => CurrentInvocation.Value = new ToolInvocation();

    /// <summary>Marks the call of this flow as past its argument binding.</summary>
    public static void MarkBodyStarted()
    {
        if (CurrentInvocation.Value is { } invocation)
        {
            invocation.BodyStarted = true;
        }
    }
}
