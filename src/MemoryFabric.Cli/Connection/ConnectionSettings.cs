namespace MemoryFabric.Cli.Connection;

/// <summary>Where a data command sends its requests: a server (<see cref="Endpoint"/> with <see cref="Key"/>) or, with
/// <see cref="Local"/>, the server run in-process over <see cref="DataDirectory"/>.</summary>
/// <param name="Endpoint">The server's base address (remote mode).</param>
/// <param name="Key">The tenant key (remote mode), if any.</param>
/// <param name="Agent">The agent the command works on (empty for a tenant-wide command).</param>
/// <param name="Local">Whether to run the server in-process.</param>
/// <param name="DataDirectory">The data directory of local mode.</param>
/// <param name="Embedder">The embedder of local mode: auto, minilm, hashing or openai.</param>
internal sealed record ConnectionSettings(Uri Endpoint, string? Key, string Agent, bool Local, string DataDirectory, string Embedder)
{
    /// <summary>What the command talks to, for messages: the URL or "local data DIR".</summary>
    public string Target => Local ? $"local data {Path.GetFullPath(DataDirectory)}" : Endpoint.ToString();
}
