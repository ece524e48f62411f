namespace MemoryFabric.Client.Orleans;

/// <summary>Checks a tenant id against the tenant directory's own rule (<see cref="MemoryFabric.Orleans.Tenants.TenantIds"/>).</summary>
internal static class TenantIds
{
    /// <summary>Throws unless <paramref name="tenant"/> is a tenant id.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="parameterName">The caller's parameter name.</param>
    /// <exception cref="ArgumentException">It is not: blank, or not following the rule.</exception>
    public static void Check(string tenant, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant, parameterName);
        if (!MemoryFabric.Orleans.Tenants.TenantIds.IsValid(tenant))
        {
            throw new ArgumentException($"'{tenant}' is not a tenant id: a tenant id is {MemoryFabric.Orleans.Tenants.TenantIds.Rule}.", parameterName);
        }
    }
}
