namespace MemoryFabric.Evaluation.Strategies;

/// <summary>A named strategy and the factory that creates a fresh instance per conversation.</summary>
/// <param name="Name">The name used on the command line and in reports (e.g. <c>bm25-turns</c>).</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="Create">Creates an empty instance.</param>
/// <param name="IgnoresBudget">Whether the strategy ignores the token budget on purpose (<c>full</c>); the runner
/// counts budget overruns of the others.</param>
public sealed record StrategyDefinition(string Name, string Description, Func<IContextStrategy> Create, bool IgnoresBudget = false);
