namespace MemoryFabric.Api;

/// <summary>The answer of <c>DELETE /v1/admin/tenants/{tenant}</c>: the tenant is gone, with its keys, its agents and
/// its guard settings, and its memory text is purged from the store's files.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="AgentsPurged">How many agents this call purged (a call that resumes an interrupted deletion counts
/// only what was left).</param>
/// <param name="KeysRevoked">How many API keys this call revoked (0 when an interrupted deletion had revoked them
/// already).</param>
public sealed record TenantDeletionResult(string Tenant, int AgentsPurged, int KeysRevoked);
