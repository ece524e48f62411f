using MemoryFabric.Conversation;

namespace MemoryFabric.Api;

/// <summary>The body of <c>POST /v1/agents/{agent}/turns</c>.</summary>
/// <param name="Turns">The turns to store: at least one, at most the server's batch size.</param>
public sealed record IngestTurnsRequest(IReadOnlyList<TurnInput> Turns);

/// <summary>The body of <c>POST /v1/admin/tenants</c>.</summary>
/// <param name="Id">The tenant id: 1–64 characters of <c>a-z 0-9 -</c>.</param>
/// <param name="Name">A display name.</param>
public sealed record CreateTenantRequest(string Id, string? Name);

/// <summary>The body of <c>POST /v1/admin/tenants/{tenant}/keys</c> (optional: an empty body names no key).</summary>
/// <param name="Name">A label for the key.</param>
public sealed record CreateKeyRequest(string? Name)
{
    /// <summary>The most trust the key's writes may claim, 0 to 1, or <see langword="null"/> for no cap. Every turn
    /// and note written with the key is stored with at most this trust (e.g. 0.3 for a tool's or a crawler's key, so
    /// that everything it writes is a weak source for the guard).</summary>
    public double? Trust { get; init; }

    /// <summary>What the key may do: any of <c>read</c>, <c>write</c>, <c>forget</c> and <c>guard</c>
    /// (<see cref="ApiScopes"/>), or <see langword="null"/> for read and write. A key with a trust cap cannot hold
    /// <c>guard</c>.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
}
