namespace MemoryFabric.Mcp.Tools;

/// <summary>The API key scope a tool needs (read, write or forget). The tool-call filter checks it before the
/// tool's arguments are read; a caller without it gets a tool error naming the scope.</summary>
/// <param name="scope">The scope (<see cref="MemoryFabric.Api.ApiScopes"/>).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class ToolScopeAttribute(string scope) : Attribute
{
    /// <summary>The scope.</summary>
    public string Scope { get; } = scope;
}
