namespace MemoryFabric.Orleans.Agents;

/// <summary>The calls an agent makes to itself so that a consolidation never holds its turn while it plans
/// (<see cref="AgentMemoryGrain"/>): a short turn starts it, planning runs on the thread pool, another short turn
/// applies the plan. Not for clients: they call <see cref="IAgentMemoryGrain.ConsolidateAsync"/>.</summary>
[Alias("memoryfabric.agent.consolidation")]
internal interface IAgentConsolidationGrain : IGrainWithStringKey
{
    /// <summary>In a turn of the agent: starts a consolidation, or queues one behind the consolidation already
    /// running (that one captured the agent earlier), and registers the caller as waiting for it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The consolidation's number.</returns>
    /// <exception cref="AgentNotFoundException">Nothing is stored for the agent.</exception>
    Task<long> BeginConsolidationAsync(CancellationToken cancellationToken = default);

    /// <summary>In a turn of the agent: applies the plan of consolidation <paramref name="number"/> once planning
    /// has finished (or reports its failure to whoever waits); nothing when it is not the running one.</summary>
    /// <param name="number">The consolidation.</param>
    /// <returns>A task.</returns>
    Task ApplyConsolidationAsync(long number);
}
