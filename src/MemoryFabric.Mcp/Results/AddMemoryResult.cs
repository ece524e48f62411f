using System.ComponentModel;

namespace MemoryFabric.Mcp.Results;

/// <summary>What <c>add_memory</c> stored.</summary>
/// <param name="Agent">The agent the turns were stored for.</param>
/// <param name="TurnIds">The ids of the stored turns, in the order given.</param>
/// <param name="Stored">How many turns were stored (all of them or, on any error, none).</param>
public sealed record AddMemoryResult(
    [property: Description("The agent the turns were stored for.")] string Agent,
    [property: Description("The ids of the stored turns, in the order given; searchable now.")] IReadOnlyList<string> TurnIds,
    [property: Description("How many turns were stored.")] int Stored);
