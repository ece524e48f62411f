namespace MemoryFabric.Api;

/// <summary>A tenant, as the admin routes describe it: the answer of <c>POST /v1/admin/tenants</c> and an item of
/// <see cref="TenantList"/>.</summary>
/// <param name="Id">The tenant id: 1–64 characters of <c>a-z 0-9 -</c>.</param>
/// <param name="Name">The display name.</param>
/// <param name="CreatedAt">When the tenant was created.</param>
public sealed record TenantInfo(string Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>When a deletion of the tenant started, while it is not finished (its keys are revoked already; the
    /// deletion resumes on its own, or with another <c>DELETE /v1/admin/tenants/{tenant}</c>); <see langword="null"/>
    /// for a live tenant.</summary>
    public DateTimeOffset? DeletingSince { get; init; }
}
