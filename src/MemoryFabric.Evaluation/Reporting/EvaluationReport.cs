using System.Text.Json.Serialization;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>The results of an evaluation run: <c>{"dataset", "budget", "strategies": {name: result}}</c>.</summary>
/// <param name="Dataset">The dataset name.</param>
/// <param name="Budget">The token budget.</param>
/// <param name="Strategies">The results by strategy name, in run order (failed strategies are absent).</param>
public sealed record EvaluationReport(string Dataset, int Budget, IReadOnlyDictionary<string, StrategyResult> Strategies)
{
    /// <summary>The categories evaluated, or <see langword="null"/> for all. Not written to JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Strategies that failed, with the error. Not written to JSON.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> Failures { get; init; } = new Dictionary<string, string>();

    /// <summary>Strategies that ignore the budget on purpose (the <c>full</c> reference). Not written to JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> UnbudgetedStrategies { get; init; } = [];
}
