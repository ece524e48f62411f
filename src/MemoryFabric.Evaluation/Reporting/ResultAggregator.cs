using MemoryFabric.Evaluation.Metrics;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>Aggregates per-question measures into a <see cref="StrategyResult"/>.</summary>
public static class ResultAggregator
{
    /// <summary>Aggregates the measures of one strategy.</summary>
    /// <param name="questions">The per-question measures.</param>
    /// <param name="ingestSeconds">The ingest time summed over conversations.</param>
    /// <param name="tokenBudget">The budget, to count overruns.</param>
    /// <returns>The result, rounded (rates to 4 decimals, the rest to 3).</returns>
    public static StrategyResult Aggregate(IReadOnlyList<QuestionResult> questions, double ingestSeconds, int tokenBudget)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var perCategory = new SortedDictionary<string, CategoryResult>(CategoryOrder.Instance);
        foreach (var group in questions.GroupBy(q => q.Category, StringComparer.Ordinal))
        {
            var list = group.ToList();
            perCategory[group.Key] = new CategoryResult(
                list.Count,
                Rate(Mean(list.Select(q => q.EvidenceRecall))),
                Rate(Mean(list.Select(q => q.AnswerCoverage))),
                Rate(Mean(list.Select(q => q.EvidenceTextCoverage))),
                Round(list.Average(q => (double)q.ContextTokens)));
        }

        var latencies = questions.Select(q => q.LatencyMs).ToList();
        return new StrategyResult(
            questions.Count,
            Rate(Mean(questions.Select(q => q.EvidenceRecall))),
            Rate(Mean(questions.Select(q => q.AnswerCoverage))),
            Rate(Mean(questions.Select(q => q.EvidenceTextCoverage))),
            Round(questions.Count == 0 ? 0 : questions.Average(q => (double)q.ContextTokens)),
            Round(ingestSeconds),
            Round(Percentiles.NearestRank(latencies, 50)),
            Round(Percentiles.NearestRank(latencies, 99)),
            perCategory)
        {
            QuestionsWithEvidence = questions.Count(q => q.EvidenceRecall is not null),
            QuestionsWithAnswer = questions.Count(q => q.AnswerCoverage is not null),
            OverBudget = questions.Count(q => q.ContextTokens > tokenBudget),
            QuestionResults = questions,
        };
    }

    /// <summary>The mean of the non-null values.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The mean, or <see langword="null"/> when every value is null.</returns>
    public static double? Mean(IEnumerable<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = 0.0;
        var count = 0;
        foreach (var v in values)
        {
            if (v is { } x)
            {
                sum += x;
                count++;
            }
        }

        return count == 0 ? null : sum / count;
    }

    private static double? Rate(double? value) => value is { } v ? Math.Round(v, 4, MidpointRounding.AwayFromZero) : null;

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}
