namespace MemoryFabric.Api;

/// <summary>A newly created tenant API key, with its secret: the answer of
/// <c>POST /v1/admin/tenants/{tenant}/keys</c>, the only time the server shows the secret.</summary>
/// <remarks><see cref="ToString"/> masks the secret so that logging the record does not leak it.</remarks>
/// <param name="Id">The key id (<c>key_...</c>), used to revoke it.</param>
/// <param name="Name">The name given when the key was created.</param>
/// <param name="Tenant">The tenant the key belongs to.</param>
/// <param name="CreatedAt">When the key was created.</param>
/// <param name="Key">The secret (<c>mfk_...</c>) to send as <c>Authorization: Bearer</c>. Store it now: the server
/// keeps only its hash.</param>
public sealed record CreatedApiKey(string Id, string Name, string Tenant, DateTimeOffset CreatedAt, string Key)
{
    /// <summary>The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</summary>
    public double? Trust { get; init; }

    /// <summary>What the key may do (<see cref="ApiScopes"/>: read, write, forget, guard), or <see langword="null"/>
    /// from a server that predates scopes.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The key's identity without its secret.</summary>
    /// <returns>The <see cref="ApiKeyInfo"/> of this key.</returns>
    public ApiKeyInfo ToApiKeyInfo() => new(Id, Name, Tenant, CreatedAt) { Trust = Trust, Scopes = Scopes };

    /// <summary>Describes the key with its secret masked.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"CreatedApiKey {{ Id = {Id}, Name = {Name}, Tenant = {Tenant}, CreatedAt = {CreatedAt:O}, Trust = {Trust}, Scopes = {(Scopes is null ? string.Empty : string.Join(' ', Scopes))}, Key = *** }}";
}
