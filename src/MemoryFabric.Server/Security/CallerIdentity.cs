namespace MemoryFabric.Server.Security;

/// <summary>Who made a request: the admin, or a tenant through one of its keys.</summary>
/// <param name="Tenant">The tenant, or <see langword="null"/> for the admin.</param>
/// <param name="KeyId">The key id (<c>admin</c> for the admin key).</param>
public sealed record CallerIdentity(string? Tenant, string KeyId)
{
    /// <summary>Whether this is the admin.</summary>
    public bool IsAdmin => Tenant is null;

    /// <summary>The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap (the admin, and
    /// keys created without one).</summary>
    public double? Trust { get; init; }

    /// <summary>The key's scopes (read, write, forget, guard; the admin key holds all of them and <c>admin</c>, but
    /// agent routes need a tenant key).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
}
