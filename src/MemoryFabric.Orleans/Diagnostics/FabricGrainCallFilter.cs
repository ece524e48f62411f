using System.Diagnostics;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.VectorShards;

namespace MemoryFabric.Orleans.Diagnostics;

/// <summary>Times the calls and reminders the fabric's grains answer into <see cref="FabricGrainMetrics"/>
/// (<c>memoryfabric.actor.call.duration</c>, <c>memoryfabric.reminders.fired</c>); other grains pass through.</summary>
/// <param name="metrics">The instruments.</param>
internal sealed class FabricGrainCallFilter(FabricGrainMetrics metrics) : IIncomingGrainCallFilter
{
    /// <inheritdoc />
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var type = context.Grain switch
        {
            AgentMemoryGrain => AgentMemoryGrain.TypeName,
            TenantDirectoryGrain => TenantDirectoryGrain.TypeName,
            TenantGuardGrain => TenantGuardGrain.TypeName,
            VectorShardGrain => VectorShardGrain.TypeName,
            _ => null,
        };
        if (type is null)
        {
            await context.Invoke();
            return;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            await context.Invoke();
        }
        finally
        {
            metrics.CallCompleted(type, Stopwatch.GetElapsedTime(start));
            if (context.MethodName == nameof(IRemindable.ReceiveReminder))
            {
                metrics.ReminderFired(type, context.Request.GetArgument(0) as string ?? "");
            }
        }
    }
}
