// The calls of ITenantDirectoryActor, forwarded to the hosted actor (one grain request = one actor turn).
using MemoryFabric.Actors;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Orleans.Grains;

/// <content>The forwarded calls of <see cref="ITenantDirectoryActor"/>.</content>
public sealed partial class TenantDirectoryGrain
{
    /// <inheritdoc />
    public Task<TenantRecord> CreateTenantAsync(string id, string? name, CancellationToken cancellationToken = default) => Actor.CreateTenantAsync(id, name, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken = default) => Actor.ListTenantsAsync(cancellationToken);

    /// <inheritdoc />
    public Task<CreatedApiKey?> CreateKeyAsync(string tenant, string? name, double? trust = null, CancellationToken cancellationToken = default) => Actor.CreateKeyAsync(tenant, name, trust, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>?> ListKeysAsync(string tenant, CancellationToken cancellationToken = default) => Actor.ListKeysAsync(tenant, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeKeyAsync(string tenant, string keyId, CancellationToken cancellationToken = default) => Actor.RevokeKeyAsync(tenant, keyId, cancellationToken);

    /// <inheritdoc />
    public Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken = default) => Actor.ResolveAsync(hash, cancellationToken);
}
