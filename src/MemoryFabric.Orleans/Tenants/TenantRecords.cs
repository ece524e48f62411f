namespace MemoryFabric.Orleans.Tenants;

/// <summary>A tenant: the unit of isolation. Its agents are addressed as <c>tenant/agent</c>.</summary>
/// <param name="Id">The tenant id (1–64 of <c>a-z 0-9 -</c>).</param>
/// <param name="Name">A display name.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record TenantRecord(string Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>When its deletion started (<see cref="ITenantDirectoryGrain.BeginDeleteAsync"/>), until it is finished
    /// (<see cref="ITenantDirectoryGrain.CompleteDeleteAsync"/> removes the record); <see langword="null"/> for a live
    /// tenant. A tenant being deleted has no keys and gets none, and its id cannot be created again meanwhile.</summary>
    public DateTimeOffset? DeletingSince { get; init; }
}

/// <summary>A tenant deletion under way (<see cref="ITenantDirectoryGrain.BeginDeleteAsync"/>).</summary>
/// <param name="Tenant">The tenant, marked deleting.</param>
/// <param name="RevokedKeys">The keys this call revoked (none when an earlier call had).</param>
public sealed record TenantDeletionStart(TenantRecord Tenant, IReadOnlyList<ApiKeyRecord> RevokedKeys);

/// <summary>An API key as stored: its hash, never its secret.</summary>
/// <param name="Id">The key id (<c>key_…</c>).</param>
/// <param name="Tenant">The tenant it belongs to.</param>
/// <param name="Name">A label.</param>
/// <param name="Hash">The SHA-256 of the secret, hex.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record ApiKeyRecord(string Id, string Tenant, string Name, string Hash, DateTimeOffset CreatedAt)
{
    /// <summary>The most trust writes made with the key may claim (0–1); <see langword="null"/> for no cap. A tool's or
    /// an importer's key set to 0.3 makes everything it writes a weak source for the guard's consensus.</summary>
    public double? Trust { get; init; }

    /// <summary>What the key may do (<see cref="MemoryFabric.Api.ApiScopes"/>: read, write, forget, guard), as given
    /// when it was created; <see langword="null"/> for a key stored before scopes existed (see
    /// <see cref="GetEffectiveScopes"/>).</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>What the key may do now. A key stored before scopes existed keeps what it could do then: without a
    /// trust cap, read, write, forget and guard; with a cap (a tool's, a crawler's key, which could never change the
    /// guard), read and write only: such a key can no longer purge. A key with a trust cap never holds
    /// <c>guard</c>, whatever is stored.</summary>
    /// <returns>The scopes.</returns>
    public IReadOnlyList<string> GetEffectiveScopes()
    {
        var scopes = Scopes ?? (Trust is null ? MemoryFabric.Api.ApiScopes.TenantScopes : MemoryFabric.Api.ApiScopes.Default);
        return Trust is null ? scopes : scopes.Where(s => s != MemoryFabric.Api.ApiScopes.Guard).ToList();
    }
}

/// <summary>A key just created: the only time its secret is shown.</summary>
/// <param name="Record">The stored record.</param>
/// <param name="Secret">The secret (<c>mfk_…</c>).</param>
public sealed record CreatedApiKey(ApiKeyRecord Record, string Secret);

/// <summary>A tenant already exists with that id.</summary>
public sealed class TenantExistsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TenantExistsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public TenantExistsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TenantExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
