using MemoryFabric.Client;

namespace MemoryFabric.Mcp.Access;

/// <summary>Who makes a tool call and what it reaches.</summary>
/// <param name="Client">The client every tool uses: bound to the caller's tenant, so no argument can name another
/// tenant's agent.</param>
public sealed record MemoryFabricMcpCaller(IMemoryFabricClient Client)
{
    /// <summary>The agent a tool uses when its <c>agent</c> argument is left out, or <see langword="null"/> when the
    /// argument is required.</summary>
    public string? DefaultAgent { get; init; }

    /// <summary>The scopes the caller's key holds (read, write, forget), checked before a tool runs; or
    /// <see langword="null"/> when the client enforces them itself (a remote server answers 403).</summary>
    public IReadOnlyCollection<string>? Scopes { get; init; }

    /// <summary>The most trust the caller's writes may claim (0–1), or <see langword="null"/> for no cap.</summary>
    public double? TrustCap { get; init; }

    /// <summary>Whether the caller may use a tool that needs <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>Whether it holds the scope (always, when <see cref="Scopes"/> is <see langword="null"/>).</returns>
    public bool Holds(string scope) => Scopes is null || Scopes.Contains(scope, StringComparer.Ordinal);
}
