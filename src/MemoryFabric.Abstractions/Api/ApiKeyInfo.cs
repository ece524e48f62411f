namespace MemoryFabric.Api;

/// <summary>A tenant API key as listed by the admin routes (an item of <see cref="KeyList"/>): its identity, never its
/// secret.</summary>
/// <param name="Id">The key id (<c>key_...</c>), used to revoke it.</param>
/// <param name="Name">The name given when the key was created.</param>
/// <param name="Tenant">The tenant the key belongs to.</param>
/// <param name="CreatedAt">When the key was created.</param>
public sealed record ApiKeyInfo(string Id, string Name, string Tenant, DateTimeOffset CreatedAt)
{
    /// <summary>The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</summary>
    public double? Trust { get; init; }

    /// <summary>What the key may do (<see cref="ApiScopes"/>: read, write, forget, guard), or <see langword="null"/>
    /// from a server that predates scopes.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }
}
