using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Agents;

// Large agents (TenantIndexOptions.LargeAgentTurnVectors): past the threshold, the turn vectors the tenant's shards
// acknowledged leave the activation after each outbox flush, and searches take their dense turn candidates from the
// shards (ShardTurnVectorIndex) merged with the turn vectors still held here (AgentMemory.OffloadTurnVectors).
public sealed partial class AgentMemoryGrain
{
    // On activation and whenever the memory object is replaced: offloaded turns are searched in the shards; with the
    // tenant index off they cannot be, so they are brought home (queued for embedding again).
    private void AttachOffloadedVectorIndex()
    {
        if (Outbox is not null)
        {
            _memory.OffloadedVectorIndex = new ShardTurnVectorIndex(GrainFactory, _tenant!, _agent!, _time, OutboxOptions.LargeAgentEfSearch, _logger);
        }
        else if (_memory.OffloadedTurnVectorCount > 0)
        {
            var reclaimed = _memory.ReclaimOffloadedTurnVectors();
            _dirty = true;
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("{Actor} had {Count} turn vectors in the tenant's shards, which are off: they are embedded again", _id, reclaimed);
            }
        }
    }

    // After a flush: a large agent drops the turn vectors the shards acknowledged (the snapshot then lists them instead).
    private void OffloadAcknowledgedTurnVectors(VectorOutbox outbox)
    {
        var threshold = OutboxOptions.LargeAgentTurnVectors;
        if (threshold == 0 || _memory.LocalTurnVectorCount == 0 || _memory.TurnVectorCount < threshold)
        {
            return;
        }

        var moved = _memory.OffloadTurnVectors((id, vector, time) => outbox.Holds(MemoryItemKind.Turn, id, vector, time));
        if (moved > 0)
        {
            _dirty = true;
            ServiceProvider.GetService<TenantIndexMetrics>()?.Offloaded(moved);
        }
    }
}
