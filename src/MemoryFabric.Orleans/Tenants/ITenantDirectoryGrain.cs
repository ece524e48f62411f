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

    /// <summary>Creates an API key for a tenant with scopes (<see cref="MemoryFabric.Api.ApiScopes"/>).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="name">A display name.</param>
    /// <param name="trust">The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</param>
    /// <param name="scopes">Any of read, write, forget and guard; <see langword="null"/> for read and write. A key with
    /// a trust cap cannot hold guard.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret (shown once), or <see langword="null"/> when the tenant does not exist.</returns>
    Task<CreatedApiKey?> CreateScopedKeyAsync(string tenant, string? name, double? trust, IReadOnlyList<string>? scopes, CancellationToken cancellationToken = default);

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

    /// <summary>Starts deleting a tenant: marks it deleting and revokes every key of it, in one durable write (the
    /// keys join the revocation feed). Deleting its data is <see cref="ITenantDeletionGrain"/>'s work, which ends with
    /// <see cref="CompleteDeleteAsync"/>. A tenant already being deleted is returned as it is (no key is left to
    /// revoke), so that the caller resumes the deletion.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The tenant marked deleting and the keys this call revoked, or <see langword="null"/> when there is no
    /// such tenant.</returns>
    Task<TenantDeletionStart?> BeginDeleteAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of a tenant whose data is deleted; afterwards the id can be created again.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns><see langword="false"/> when there is no such tenant being deleted.</returns>
    Task<bool> CompleteDeleteAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Gets one tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant (with <see cref="TenantRecord.DeletingSince"/> while it is being deleted), or
    /// <see langword="null"/>.</returns>
    [global::Orleans.Concurrency.ReadOnly]
    Task<TenantRecord?> GetTenantAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Finds the key with a secret's hash.</summary>
    /// <param name="hash">The SHA-256 hash of the secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    [global::Orleans.Concurrency.ReadOnly]
    Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>The keys revoked since a version of the revocation feed, so that a server that caches keys can drop
    /// them: each server asks a few times a second (a cheap call that interleaves with the directory's other calls).</summary>
    /// <param name="epoch">The <see cref="KeyRevocations.Epoch"/> the caller last saw (<see cref="Guid.Empty"/> the
    /// first time).</param>
    /// <param name="sinceVersion">The <see cref="KeyRevocations.Version"/> the caller last saw.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The current version with the hashes revoked after <paramref name="sinceVersion"/>, or, when the
    /// directory cannot list them (another activation, or too many since), <see cref="KeyRevocations.Complete"/>
    /// <see langword="false"/>: the caller drops every cached key.</returns>
    [global::Orleans.Concurrency.AlwaysInterleave]
    Task<KeyRevocations> GetRevocationsAsync(Guid epoch, long sinceVersion, CancellationToken cancellationToken = default);
}

/// <summary>The revocation feed of the tenant directory (<see cref="ITenantDirectoryGrain.GetRevocationsAsync"/>).</summary>
/// <param name="Epoch">The directory activation's feed: versions are comparable only within one epoch.</param>
/// <param name="Version">How many keys this activation has revoked.</param>
/// <param name="Hashes">The hashes revoked after the version the caller gave, when <paramref name="Complete"/>.</param>
/// <param name="Complete">Whether <paramref name="Hashes"/> is every key revoked since that version; when not, the
/// caller must forget every key it caches.</param>
public sealed record KeyRevocations(Guid Epoch, long Version, IReadOnlyList<string> Hashes, bool Complete);
