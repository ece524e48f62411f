namespace MemoryFabric.Mcp.Access;

/// <summary>One caller for every tool call: a process serving one user over stdio (<c>memfab mcp</c>).</summary>
/// <param name="caller">The caller.</param>
public sealed class FixedMemoryFabricMcpAccess(MemoryFabricMcpCaller caller) : IMemoryFabricMcpAccess
{
    private readonly MemoryFabricMcpCaller _caller = caller ?? throw new ArgumentNullException(nameof(caller));

    /// <inheritdoc />
    public ValueTask<MemoryFabricMcpCaller> GetCallerAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_caller);
}
