namespace MemoryFabric.Mcp.Access;

/// <summary>Gives each tool call the fabric it acts on: the server answers with a client bound to the caller's
/// tenant (from the API key of the HTTP request), <c>memfab mcp</c> with the one client it was started with.</summary>
public interface IMemoryFabricMcpAccess
{
    /// <summary>The caller of the tool call being handled.</summary>
    /// <param name="cancellationToken">Cancels the look-up.</param>
    /// <returns>The caller: its client, default agent, scopes and trust cap.</returns>
    ValueTask<MemoryFabricMcpCaller> GetCallerAsync(CancellationToken cancellationToken);
}
