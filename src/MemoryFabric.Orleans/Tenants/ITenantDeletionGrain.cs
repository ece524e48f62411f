namespace MemoryFabric.Orleans.Tenants;

/// <summary>Deletes one tenant's data (key: the tenant id), answered by <see cref="TenantDeletionGrain"/>: every agent
/// purged, the guard's settings, relation groups and shared claims removed, the store's files purged of what was
/// deleted, then the tenant's record removed from the directory. It works only on a tenant the directory marked
/// deleting (<see cref="ITenantDirectoryGrain.BeginDeleteAsync"/>), whose keys are revoked already.</summary>
[Alias("memoryfabric.tenant-deletion")]
public interface ITenantDeletionGrain : IGrainWithStringKey
{
    /// <summary>Runs (or resumes) the deletion to its end. Every step is repeatable, so a run that dies midway is
    /// finished by the next one; a run, once started, does not stop when its caller stops waiting.</summary>
    /// <param name="cancellationToken">Cancels the call before the deletion starts.</param>
    /// <returns>What this run removed, or <see langword="null"/> when the tenant is not being deleted (there is no such
    /// tenant, or an earlier run finished the deletion).</returns>
    [ResponseTimeout("01:00:00")]
    [Alias("run")]
    Task<TenantDeletionReport?> RunAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a run of <see cref="ITenantDeletionGrain.RunAsync"/> removed.</summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="AgentsPurged">How many agents it purged.</param>
public sealed record TenantDeletionReport(string Tenant, int AgentsPurged);
