namespace MemoryFabric.Orleans.Agents;

/// <summary>Creates the engine object an <see cref="AgentMemoryGrain"/> hosts (with the host's embedder, extractor,
/// clock and options).</summary>
public interface IAgentMemoryFactory
{
    /// <summary>Creates an empty agent memory.</summary>
    /// <returns>The memory.</returns>
    AgentMemory Create();
}

/// <summary>An <see cref="IAgentMemoryFactory"/> over a delegate.</summary>
/// <param name="create">Creates an empty memory.</param>
public sealed class AgentMemoryFactory(Func<AgentMemory> create) : IAgentMemoryFactory
{
    private readonly Func<AgentMemory> _create = create ?? throw new ArgumentNullException(nameof(create));

    /// <inheritdoc />
    public AgentMemory Create() => _create();
}
