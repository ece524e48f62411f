using MemoryFabric.Api;

namespace MemoryFabric.Client;

/// <summary>A client of the MemoryFabric HTTP API's admin routes (<c>/v1/admin/...</c>), authenticated with the admin
/// key: tenants (created, listed, deleted), their API keys, and backups of the store.</summary>
/// <remarks>Errors throw <see cref="MemoryFabricApiException"/>, e.g. 409 when a tenant exists, 403 with a tenant
/// key.</remarks>
public interface IMemoryFabricAdminClient
{
    /// <summary>Creates a tenant (<c>POST /v1/admin/tenants</c>).</summary>
    /// <param name="id">The tenant id: 1–64 characters of <c>a-z 0-9 -</c>.</param>
    /// <param name="name">The display name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant.</returns>
    /// <exception cref="MemoryFabricApiException">409 when the tenant exists.</exception>
    Task<TenantInfo> CreateTenantAsync(string id, string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the tenants (<c>GET /v1/admin/tenants</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenants.</returns>
    Task<IReadOnlyList<TenantInfo>> ListTenantsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates an API key for a tenant with the default scopes, read and write
    /// (<c>POST /v1/admin/tenants/{tenant}/keys</c>). The secret is in the result only: the server keeps its
    /// hash.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="name">A name for the key, e.g. "ci".</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret.</returns>
    Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, CancellationToken cancellationToken = default);

    /// <summary>Creates an API key for a tenant with a trust cap (<c>POST /v1/admin/tenants/{tenant}/keys</c>): every
    /// turn and note written with the key is stored with at most this trust, e.g. 0.3 for a tool's or a crawler's key,
    /// so that what it writes is always a weak source for the guard. The secret is in the result only.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="name">A name for the key, e.g. "crawler".</param>
    /// <param name="trust">The most trust the key's writes may claim, 0 to 1, or <see langword="null"/> for no
    /// cap.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret and its cap.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trust"/> is not between 0 and 1.</exception>
    Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, double? trust, CancellationToken cancellationToken = default);

    /// <summary>Creates an API key for a tenant with scopes and an optional trust cap
    /// (<c>POST /v1/admin/tenants/{tenant}/keys</c>). A key may do only what its scopes allow:
    /// <see cref="ApiScopes.Read"/>, <see cref="ApiScopes.Write"/>, <see cref="ApiScopes.Forget"/> (purge a note or an
    /// agent) and <see cref="ApiScopes.Guard"/> (change the guard); any other route answers 403. The secret is in the
    /// result only.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="name">A name for the key, e.g. "janitor".</param>
    /// <param name="trust">The most trust the key's writes may claim, 0 to 1, or <see langword="null"/> for no
    /// cap.</param>
    /// <param name="scopes">The scopes, or <see langword="null"/> for read and write (<see cref="ApiScopes.Default"/>).
    /// A key with a trust cap cannot hold guard.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret, its cap and its scopes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trust"/> is not between 0 and 1.</exception>
    /// <exception cref="ArgumentException">A scope is unknown or <c>admin</c>, <paramref name="scopes"/> is empty, or a
    /// capped key asks for guard.</exception>
    Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, double? trust, IReadOnlyCollection<string>? scopes, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's API keys, without secrets (<c>GET /v1/admin/tenants/{tenant}/keys</c>).</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys.</returns>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Revokes an API key at once (<c>DELETE /v1/admin/tenants/{tenant}/keys/{keyId}</c>).</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="keyId">The key id (<c>key_...</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the key is revoked.</returns>
    Task RevokeApiKeyAsync(string tenant, string keyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a tenant for good (<c>DELETE /v1/admin/tenants/{tenant}</c>): revokes its keys (they answer 401
    /// at once), purges every agent's memory and the guard's settings and relation groups, so that its text is in no
    /// file of the server's data, and removes the tenant; its id can then be created again, empty. A deletion that was
    /// interrupted (the server stopped) is resumed by the server, or by calling this again.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="cancellationToken">Cancels the wait; a deletion the server has started runs to its end.</param>
    /// <returns>How many agents were purged and keys revoked.</returns>
    /// <exception cref="MemoryFabricApiException">404 when there is no such tenant (or it is deleted already).</exception>
    Task<TenantDeletionResult> DeleteTenantAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Copies a consistent online backup of the server's embedded store into a stream
    /// (<c>POST /v1/admin/backup</c>): an SQLite database file holding every write the server acknowledged before the
    /// call, and each write wholly or not at all, taken while writes go on. Restore it with
    /// <c>memfab admin restore FILE --data DIR</c>. The server answers once its copy is written, so
    /// <see cref="MemoryFabricClientOptions.Timeout"/> must cover the copy of the whole database (see the README's
    /// "Operations" for a measured rate); the body then takes as long as it takes.</summary>
    /// <param name="destination">Where the backup is written (e.g. a new file); not disposed.</param>
    /// <param name="cancellationToken">Cancels the call (the server deletes its copy).</param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="MemoryFabricApiException">501 in cluster mode (back up the Azure Storage account) or in-memory
    /// mode; 409 while another backup runs; 507 when the server has no space for its temporary copy.</exception>
    /// <exception cref="IOException">The response ended before the announced length.</exception>
    Task<long> BackupAsync(Stream destination, CancellationToken cancellationToken = default);
}
