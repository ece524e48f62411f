using System.Text.Json.Serialization;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>The results of one strategy over a dataset. Rates are rounded to 4 decimals, the rest to 3.</summary>
/// <param name="Questions">The questions asked.</param>
/// <param name="EvidenceRecall">Mean evidence recall over the questions with readable evidence, or
/// <see langword="null"/> when none has.</param>
/// <param name="AnswerCoverage">Mean answer coverage over the questions whose answer has content words.</param>
/// <param name="EvidenceTextCoverage">Mean evidence-text coverage over the questions with statements, or
/// <see langword="null"/> when the dataset has none.</param>
/// <param name="MeanContextTokens">Mean context size in tokens.</param>
/// <param name="IngestSeconds">Ingest time summed over conversations.</param>
/// <param name="SearchP50Ms">Median <c>GetContextAsync</c> latency (nearest rank), in milliseconds.</param>
/// <param name="SearchP99Ms">99th-percentile latency (nearest rank), in milliseconds.</param>
/// <param name="PerCategory">The same means per category, categories in natural order ("2" before "10").</param>
public sealed record StrategyResult(
    int Questions,
    double? EvidenceRecall,
    double? AnswerCoverage,
    double? EvidenceTextCoverage,
    double MeanContextTokens,
    double IngestSeconds,
    double SearchP50Ms,
    double SearchP99Ms,
    IReadOnlyDictionary<string, CategoryResult> PerCategory)
{
    /// <summary>The questions that entered the evidence-recall mean (the others have no readable evidence).
    /// Not written to JSON.</summary>
    [JsonIgnore]
    public int QuestionsWithEvidence { get; init; }

    /// <summary>The questions that entered the answer-coverage mean. Not written to JSON.</summary>
    [JsonIgnore]
    public int QuestionsWithAnswer { get; init; }

    /// <summary>Contexts larger than the budget (always 0 for a correct budgeted strategy). Not written to
    /// JSON.</summary>
    [JsonIgnore]
    public int OverBudget { get; init; }

    /// <summary>The per-question measures, unrounded. Not written to JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<QuestionResult> QuestionResults { get; init; } = [];
}
