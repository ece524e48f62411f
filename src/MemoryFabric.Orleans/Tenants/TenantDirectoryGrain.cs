using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Tenants;

/// <summary>
/// The grain (one key, <see cref="DirectoryKey"/>) that holds tenants and the hashes of their API keys. Every change
/// is written as the whole state (small) to the grain storage named
/// <see cref="MemoryFabricSiloOptions.SmallStateStorageName"/> before it is acknowledged.
/// </summary>
/// <remarks>A tenant deletion is two writes here around the work of <see cref="ITenantDeletionGrain"/>: the tenant is
/// marked deleting with its keys removed (<see cref="BeginDeleteAsync"/>), and its record is removed once its data is
/// gone (<see cref="CompleteDeleteAsync"/>). A deletion interrupted in between (the process died) is resumed when the
/// directory next activates: every server's revocation watcher calls it within a second of start-up.</remarks>
public sealed class TenantDirectoryGrain : Grain, ITenantDirectoryGrain
{
    /// <summary>The state name of the directory (and its record type in an <see cref="IActorStateStore"/>).</summary>
    public const string TypeName = "tenants";

    /// <summary>The key of the single directory.</summary>
    public const string DirectoryKey = "directory";

    private readonly IPersistentState<TenantDirectoryState> _state;
    private readonly TimeProvider _time;
    private Dictionary<string, TenantRecord> _tenants = new(StringComparer.Ordinal);
    private Dictionary<string, ApiKeyRecord> _keysByHash = new(StringComparer.Ordinal);

    // The revocation feed of this activation (servers poll it to drop revoked keys from their caches): its epoch, how
    // many keys it revoked, and the hashes of the latest, oldest first.
    private const int RecentRevocationsKept = 1_024;
    private readonly Guid _revocationEpoch = Guid.NewGuid();
    private readonly Queue<string> _recentRevocations = new();
    private long _revocationVersion;

    /// <summary>Creates the grain.</summary>
    /// <param name="state">Its state, in the small-state grain storage.</param>
    /// <param name="time">The clock; the system clock when none is registered.</param>
    public TenantDirectoryGrain(
        [PersistentState(TypeName, MemoryFabricSiloOptions.SmallStateStorageName)] IPersistentState<TenantDirectoryState> state,
        TimeProvider? time = null)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenants = _state.State.Tenants.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _keysByHash = _state.State.Keys.ToDictionary(k => k.Hash, StringComparer.Ordinal);

        // Deletions a dead process left half done: resumed in the background (the deletion grain calls back here).
        foreach (var tenant in _tenants.Values.Where(t => t.DeletingSince is not null))
        {
            GrainFactory.GetGrain<ITenantDeletionGrain>(tenant.Id).RunAsync(CancellationToken.None).Ignore();
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates a tenant.</summary>
    /// <param name="id">The id: 1–64 of <c>a-z 0-9 -</c>, starting with a letter or digit.</param>
    /// <param name="name">A display name (the id when blank).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant.</returns>
    /// <exception cref="MemoryInputException">The id is invalid.</exception>
    /// <exception cref="TenantExistsException">It exists.</exception>
    public async Task<TenantRecord> CreateTenantAsync(string id, string? name, CancellationToken cancellationToken = default)
    {
        if (!TenantIds.IsValid(id))
        {
            throw new MemoryInputException($"A tenant id is {TenantIds.Rule}.", nameof(id));
        }

        if (_tenants.TryGetValue(id, out var existing))
        {
            throw new TenantExistsException(existing.DeletingSince is null
                ? $"The tenant '{id}' exists."
                : $"The tenant '{id}' is being deleted; create it again once the deletion is done (DELETE /v1/admin/tenants/{id} finishes it).");
        }

        var tenant = new TenantRecord(id, string.IsNullOrWhiteSpace(name) ? id : name.Trim(), _time.GetUtcNow());
        _tenants[id] = tenant;
        await SaveOrRollbackAsync(() => _tenants.Remove(id), cancellationToken);
        return tenant;
    }

    /// <summary>Lists tenants by id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenants.</returns>
    public Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<TenantRecord> result = _tenants.Values.OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
        return Task.FromResult(result);
    }

    /// <summary>Creates an API key for a tenant with the default scopes (read and write); its secret is returned once
    /// and only its hash is stored.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="name">A label.</param>
    /// <param name="trust">The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret, or <see langword="null"/> when the tenant does not exist.</returns>
    /// <exception cref="MemoryInputException">The trust is outside 0–1.</exception>
    public Task<CreatedApiKey?> CreateKeyAsync(string tenant, string? name, double? trust = null, CancellationToken cancellationToken = default) =>
        CreateScopedKeyAsync(tenant, name, trust, null, cancellationToken);

    /// <summary>Creates an API key for a tenant with scopes; its secret is returned once and only its hash is
    /// stored.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="name">A label.</param>
    /// <param name="trust">The most trust the key's writes may claim (0–1), or <see langword="null"/> for no cap.</param>
    /// <param name="scopes">Any of read, write, forget and guard (<see cref="MemoryFabric.Api.ApiScopes"/>);
    /// <see langword="null"/> for read and write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key with its secret, or <see langword="null"/> when the tenant does not exist.</returns>
    /// <exception cref="MemoryInputException">The trust is outside 0–1.</exception>
    /// <exception cref="MemoryInputException">A scope is unknown, none is given, a capped key asks for guard, or the
    /// name is not an identifier.</exception>
    public async Task<CreatedApiKey?> CreateScopedKeyAsync(string tenant, string? name, double? trust, IReadOnlyList<string>? scopes, CancellationToken cancellationToken = default)
    {
        if (trust is { } t && (double.IsNaN(t) || t < 0 || t > 1))
        {
            throw new MemoryInputException($"A key's trust is between 0 and 1; {trust} was given.", nameof(trust));
        }

        var granted = MemoryFabric.Api.ApiScopes.Normalize(scopes, out var problem) ?? throw new MemoryInputException(problem ?? "The scopes are invalid.", nameof(scopes));
        if (trust is not null && granted.Contains(MemoryFabric.Api.ApiScopes.Guard, StringComparer.Ordinal))
        {
            throw new MemoryInputException("A key with a trust cap cannot hold the 'guard' scope: it must not release what it wrote.", nameof(scopes));
        }

        if (name is not null && !string.IsNullOrWhiteSpace(name))
        {
            Identifiers.Validate(name.Trim(), "A key name", nameof(name));
        }

        if (!IsLive(tenant))
        {
            return null;
        }

        var secret = ApiKeys.NewSecret();
        var record = new ApiKeyRecord("key_" + Guid.NewGuid().ToString("N")[..16], tenant, string.IsNullOrWhiteSpace(name) ? "default" : name.Trim(), ApiKeys.Hash(secret), _time.GetUtcNow()) { Trust = trust, Scopes = granted };
        _keysByHash[record.Hash] = record;
        await SaveOrRollbackAsync(() => _keysByHash.Remove(record.Hash), cancellationToken);
        return new CreatedApiKey(record, secret);
    }

    /// <summary>Lists a tenant's keys (hashes only).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys, or <see langword="null"/> when the tenant does not exist.</returns>
    public Task<IReadOnlyList<ApiKeyRecord>?> ListKeysAsync(string tenant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ApiKeyRecord>? result = IsLive(tenant)
            ? _keysByHash.Values.Where(k => k.Tenant == tenant).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList()
            : null;
        return Task.FromResult(result);
    }

    /// <summary>Revokes a key at once.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a key was revoked.</returns>
    public async Task<bool> RevokeKeyAsync(string tenant, string keyId, CancellationToken cancellationToken = default)
    {
        var record = _keysByHash.Values.FirstOrDefault(k => k.Tenant == tenant && k.Id == keyId);
        if (record is null)
        {
            return false;
        }

        _keysByHash.Remove(record.Hash);
        await SaveOrRollbackAsync(() => _keysByHash[record.Hash] = record, cancellationToken);
        Revoked(record.Hash);
        return true;
    }

    /// <summary>Starts deleting a tenant: marks it deleting and removes its keys in one durable write, then publishes
    /// the keys on the revocation feed.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns>The tenant marked deleting and the keys revoked now, or <see langword="null"/> when there is no such
    /// tenant.</returns>
    public async Task<TenantDeletionStart?> BeginDeleteAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (tenant is null || !_tenants.TryGetValue(tenant, out var record))
        {
            return null;
        }

        var keys = _keysByHash.Values.Where(k => k.Tenant == tenant).OrderBy(k => k.Id, StringComparer.Ordinal).ToList();
        if (record.DeletingSince is not null && keys.Count == 0)
        {
            return new TenantDeletionStart(record, []);
        }

        var marked = record.DeletingSince is null ? record with { DeletingSince = _time.GetUtcNow() } : record;
        _tenants[tenant] = marked;
        foreach (var key in keys)
        {
            _keysByHash.Remove(key.Hash);
        }

        await SaveOrRollbackAsync(
            () =>
            {
                _tenants[tenant] = record;
                foreach (var key in keys)
                {
                    _keysByHash[key.Hash] = key;
                }
            },
            cancellationToken);
        foreach (var key in keys)
        {
            Revoked(key.Hash);
        }

        return new TenantDeletionStart(marked, keys);
    }

    /// <summary>Removes the record of a tenant being deleted (its data is gone).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call before anything is written.</param>
    /// <returns><see langword="false"/> when there is no such tenant being deleted.</returns>
    public async Task<bool> CompleteDeleteAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (tenant is null || !_tenants.TryGetValue(tenant, out var record) || record.DeletingSince is null)
        {
            return false;
        }

        _tenants.Remove(tenant);
        await SaveOrRollbackAsync(() => _tenants[tenant] = record, cancellationToken);
        return true;
    }

    /// <summary>Gets one tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant, or <see langword="null"/>.</returns>
    public Task<TenantRecord?> GetTenantAsync(string tenant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(tenant is null ? null : _tenants.GetValueOrDefault(tenant));
    }

    /// <summary>The keys revoked since a version of this activation's revocation feed.</summary>
    /// <param name="epoch">The epoch the caller last saw (<see cref="Guid.Empty"/> the first time).</param>
    /// <param name="sinceVersion">The version the caller last saw.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The current version and the hashes revoked since, or an incomplete answer (the caller forgets every
    /// cached key) for another epoch or a version older than the revocations kept.</returns>
    public Task<KeyRevocations> GetRevocationsAsync(Guid epoch, long sinceVersion, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var missed = _revocationVersion - sinceVersion;
        if (epoch != _revocationEpoch || missed < 0 || missed > _recentRevocations.Count)
        {
            return Task.FromResult(new KeyRevocations(_revocationEpoch, _revocationVersion, [], Complete: false));
        }

        IReadOnlyList<string> hashes = missed == 0 ? [] : _recentRevocations.Skip(_recentRevocations.Count - (int)missed).ToList();
        return Task.FromResult(new KeyRevocations(_revocationEpoch, _revocationVersion, hashes, Complete: true));
    }

    /// <summary>Finds the key a secret's hash belongs to.</summary>
    /// <param name="hash">The SHA-256 of the presented secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    public Task<ApiKeyRecord?> ResolveAsync(string hash, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_keysByHash.GetValueOrDefault(hash));
    }

    // A tenant that exists and is not being deleted.
    private bool IsLive(string tenant) => tenant is not null && _tenants.TryGetValue(tenant, out var record) && record.DeletingSince is null;

    // Publishes a revoked key on this activation's revocation feed.
    private void Revoked(string hash)
    {
        _revocationVersion++;
        _recentRevocations.Enqueue(hash);
        if (_recentRevocations.Count > RecentRevocationsKept)
        {
            _recentRevocations.Dequeue();
        }
    }

    private async Task SaveOrRollbackAsync(Action rollback, CancellationToken cancellationToken)
    {
        var state = new TenantDirectoryState
        {
            Tenants = _tenants.Values.OrderBy(t => t.Id, StringComparer.Ordinal).ToList(),
            Keys = _keysByHash.Values.OrderBy(k => k.Id, StringComparer.Ordinal).ToList(),
        };
        await _state.WriteOrRollbackAsync(state, rollback, cancellationToken);
    }
}

/// <summary>The stored state of the tenant directory.</summary>
public sealed class TenantDirectoryState
{
    /// <summary>The tenants, by id.</summary>
    public List<TenantRecord> Tenants { get; set; } = [];

    /// <summary>The API key records (hashes only), by id.</summary>
    public List<ApiKeyRecord> Keys { get; set; } = [];
}
