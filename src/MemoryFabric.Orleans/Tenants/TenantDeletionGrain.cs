using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Agents.Catalog;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MemoryFabric.Orleans.Tenants;

/// <summary>
/// Deletes one tenant's data (<see cref="ITenantDeletionGrain"/>, key: the tenant id) once the directory has marked
/// it deleting and revoked its keys: it purges every agent stored under <c>tenant/</c> through its grain
/// (<see cref="IAgentMemoryGrain.PurgeAsync"/>: snapshot, journal, card, reminders, shared claims; quarantine and
/// lessons are part of the agent's state), waits <see cref="SettleDelay"/> after the keys were revoked and purges
/// again what requests authenticated before the revocation wrote meanwhile, clears the tenant's guard (settings,
/// relation groups, claims), removes any card or claims record left behind, makes the store purge what was deleted from
/// its files (<see cref="IActorStateStore.PurgeDeletedAsync"/>: SQLite's WAL is truncated, <c>secure_delete</c> has
/// zeroed the rows), and finally removes the tenant's record from the directory.
/// </summary>
/// <remarks>Every step can be repeated, so a run that dies midway leaves the tenant marked deleting (its keys refused)
/// and the next run, started by the directory when it activates or by another <c>DELETE</c>, finishes it. Agents are
/// listed from the store's keys (what <see cref="AgentListGrain"/> lists, whatever their names), a page at a time, and
/// purged a few at once.</remarks>
public sealed partial class TenantDeletionGrain : Grain, ITenantDeletionGrain
{
    /// <summary>How long after the keys were revoked the agents are purged once more: a key revoked through one server
    /// is refused by every other within about a second (the revocation feed), and a request it let through before
    /// then may still write.</summary>
    public static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(2);

    private const int PageSize = 100;
    private const int PurgesAtOnce = 4;
    private const int MaxPasses = 10;

    private readonly IActorStateStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the grain.</summary>
    /// <param name="store">Where the tenant's agents, cards and claims are stored.</param>
    /// <param name="logger">A logger.</param>
    /// <param name="time">The clock; the system clock when none is registered.</param>
    public TenantDeletionGrain(IActorStateStore store, ILogger<TenantDeletionGrain>? logger = null, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<TenantDeletionReport?> RunAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // From here on the run ignores its caller: a half-done deletion only waits longer for its end.
        var tenant = this.GetPrimaryKeyString();
        var directory = GrainFactory.GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
        var record = await directory.GetTenantAsync(tenant, CancellationToken.None);
        if (record?.DeletingSince is not { } since)
        {
            return null;
        }

        LogStarted(_logger, tenant, since);
        var purged = (await PurgeAgentsAsync(tenant)).Purged;
        var settle = since + SettleDelay - _time.GetUtcNow();
        if (settle > TimeSpan.Zero)
        {
            await Task.Delay(settle, _time, CancellationToken.None);
        }

        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var (found, late) = await PurgeAgentsAsync(tenant);
            purged += late;
            if (found == 0)
            {
                break;
            }
        }

        await GrainFactory.GetGrain<ITenantGuardGrain>(tenant).ClearAsync(CancellationToken.None);
        await GrainFactory.GetGrain<TenantIndex.ITenantIndexGrain>(tenant).ClearAsync(CancellationToken.None); // its vector shards
        await ClearAllAsync(TenantIndex.VectorOutbox.TypeName, tenant);
        await ClearAllAsync(AgentCard.TypeName, tenant);
        await ClearAllAsync(TenantGuardGrain.ClaimsTypeName, tenant);
        await _store.PurgeDeletedAsync(CancellationToken.None);
        await directory.CompleteDeleteAsync(tenant, CancellationToken.None);
        LogDone(_logger, tenant, purged);
        return new TenantDeletionReport(tenant, purged);
    }

    // One pass over the tenant's stored agents: how many were listed, and how many of them held something.
    private async Task<(int Found, int Purged)> PurgeAgentsAsync(string tenant)
    {
        var prefix = tenant + "/";
        string? after = null;
        var found = 0;
        var purged = 0;
        while (true)
        {
            var keys = await _store.ListKeysAsync(AgentMemoryGrain.TypeName, prefix, after, PageSize, CancellationToken.None);
            foreach (var batch in keys.Chunk(PurgesAtOnce))
            {
                var existed = await Task.WhenAll(batch.Select(key => GrainFactory.GetGrain<IAgentMemoryGrain>(key).PurgeAsync(CancellationToken.None)));
                purged += existed.Count(e => e);
            }

            found += keys.Count;
            if (keys.Count < PageSize)
            {
                return (found, purged);
            }

            after = keys[^1];
        }
    }

    // Removes every record of a type under the tenant (what a purge should have removed already).
    private async Task ClearAllAsync(string type, string tenant)
    {
        foreach (var key in await _store.ListKeysAsync(type, tenant + "/", CancellationToken.None))
        {
            await _store.ClearAsync(new ActorId(type, key), CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting tenant {Tenant} (its keys were revoked at {Since:O})")]
    private static partial void LogStarted(ILogger logger, string tenant, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted tenant {Tenant}: {Agents} agents purged")]
    private static partial void LogDone(ILogger logger, string tenant, int agents);
}
