namespace MemoryFabric.Orleans.Tenants;

/// <summary>The tenant directory as a grain (one key, <see cref="TenantDirectoryGrain.DirectoryKey"/>): tenants and
/// the hashes of their API keys.</summary>
[Alias("memoryfabric.tenants")]
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Creates a tenant.</summary>
    /// <param name="id">The id: 1–64 of <c>a-z 0-9 -</c>, starting with a letter or digit.</param>
    /// <param name="name">A display name (the id when blank).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant.</returns>
    Task<TenantRecord> CreateTenantAsync(string id, string? name, CancellationToken cancellationToken = default);

    /// <summary>Lists tenants.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenants, by id.</returns>
    Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates an API key for a tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="name">A display name.</param>
    /// <param name="trust">The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret (shown once), or <see langword="null"/> when the tenant does not exist.</returns>
    Task<CreatedApiKey?> CreateKeyAsync(string tenant, string? name, double? trust = null, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's keys (hashes only).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys, or <see langword="null"/> when the tenant does not exist.</returns>
    Task<IReadOnlyList<ApiKeyRecord>?> ListKeysAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when there is no such key.</returns>
    Task<bool> RevokeKeyAsync(string tenant, string keyId, CancellationToken cancellationToken = default);

    /// <summary>Finds the key with a secret's hash.</summary>
    /// <param name="hash">The SHA-256 hash of the secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken = default);
}
