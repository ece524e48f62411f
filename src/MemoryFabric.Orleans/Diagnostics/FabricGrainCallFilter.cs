using System.Diagnostics;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.VectorShards;

namespace MemoryFabric.Orleans.Diagnostics;

/// <summary>Times the calls and reminders the fabric's grains answer into <see cref="FabricGrainMetrics"/>
/// (<c>memoryfabric.actor.call.duration</c>, <c>memoryfabric.reminders.fired</c>) and traces each in a
/// <c>memoryfabric.grain.call</c> span (<see cref="FabricGrainTracing"/>); other grains pass through.</summary>
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

        using var activity = StartActivity(type, context.MethodName);
        var start = Stopwatch.GetTimestamp();
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
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

    // A child of Activity.Current (Orleans' incoming span) or, when no Orleans span was started, of the caller's
    // context that Orleans' activity propagation put in the request context.
    private static Activity? StartActivity(string type, string method)
    {
        if (!FabricGrainTracing.Source.HasListeners())
        {
            return null;
        }

        var parent = Activity.Current is null
            && RequestContext.Get("traceparent") is string traceParent
            && ActivityContext.TryParse(traceParent, RequestContext.Get("tracestate") as string, isRemote: true, out var remote)
                ? remote
                : default;
        var activity = FabricGrainTracing.Source.StartActivity("memoryfabric.grain.call", ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.DisplayName = type + "/" + method;
            activity.SetTag("memoryfabric.actor_type", type);
            activity.SetTag("rpc.method", method);
        }

        return activity;
    }
}
