using System.Text.Json;
using MemoryFabric.Evaluation.Reporting;

namespace MemoryFabric.Evaluation.Tests.Reporting;

public class ReportTests
{
    private static EvaluationReport Sample()
    {
        QuestionResult[] questions =
        [
            new("c1", "q1", "10", 1.0, 0.5, null, 900, 1.0),
            new("c1", "q2", "2", 0.0, null, null, 1000, 3.0),
            new("c1", "q3", "2", null, 1.0, null, 950, 2.0),
        ];
        var result = ResultAggregator.Aggregate(questions, 1.23456, 1000);
        return new EvaluationReport("demo", 1000, new Dictionary<string, StrategyResult> { ["bm25-turns"] = result })
        {
            Categories = ["2", "10"],
        };
    }

    [Fact]
    public void Aggregates_means_over_the_questions_that_have_the_measure()
    {
        var result = Sample().Strategies["bm25-turns"];

        Assert.Equal(3, result.Questions);
        Assert.Equal(0.5, result.EvidenceRecall);
        Assert.Equal(0.75, result.AnswerCoverage);
        Assert.Null(result.EvidenceTextCoverage);
        Assert.Equal(950, result.MeanContextTokens);
        Assert.Equal(1.235, result.IngestSeconds);
        Assert.Equal(2, result.SearchP50Ms);
        Assert.Equal(3, result.SearchP99Ms);
        Assert.Equal(2, result.QuestionsWithEvidence);
        Assert.Equal(["2", "10"], result.PerCategory.Keys);
        Assert.Null(result.PerCategory["10"].EvidenceTextCoverage);
        Assert.Equal(0.0, result.PerCategory["2"].EvidenceRecall);
    }

    [Fact]
    public void Json_has_the_documented_shape()
    {
        using var json = JsonDocument.Parse(ReportJson.Serialize(Sample()));
        var root = json.RootElement;

        Assert.Equal(["dataset", "budget", "strategies"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("demo", root.GetProperty("dataset").GetString());
        Assert.Equal(1000, root.GetProperty("budget").GetInt32());
        var bm25 = root.GetProperty("strategies").GetProperty("bm25-turns");
        Assert.Equal(
            ["questions", "evidence_recall", "answer_coverage", "evidence_text_coverage", "mean_context_tokens", "ingest_seconds", "search_p50_ms", "search_p99_ms", "per_category"],
            bm25.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, bm25.GetProperty("evidence_text_coverage").ValueKind);
        var category = bm25.GetProperty("per_category").GetProperty("2");
        Assert.Equal(
            ["questions", "evidence_recall", "answer_coverage", "evidence_text_coverage", "mean_context_tokens"],
            category.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Table_prints_one_row_per_strategy_and_a_category_block()
    {
        var text = ReportTable.Render(Sample());

        Assert.Contains("strategy    questions  evidence recall  answer coverage  evidence text cov.  mean tokens  ingest s  p50 ms  p99 ms", text, StringComparison.Ordinal);
        Assert.Contains("bm25-turns          3            0.500            0.750                   -        950.0      1.24    2.00    3.00", text, StringComparison.Ordinal);
        Assert.Contains("per category:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("|", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_prints_as_markdown()
    {
        var text = ReportTable.Render(Sample(), markdown: true);

        Assert.Contains("| strategy | questions | evidence recall | answer coverage | evidence text cov. | mean tokens | ingest s | p50 ms | p99 ms |", text, StringComparison.Ordinal);
        Assert.Contains("|---|---:|---:|---:|---:|---:|---:|---:|---:|", text, StringComparison.Ordinal);
        Assert.Contains("| bm25-turns | 3 | 0.500 | 0.750 | - | 950.0 | 1.24 | 2.00 | 3.00 |", text, StringComparison.Ordinal);
        Assert.Contains("|---|---|---:|---:|---:|---:|---:|", text, StringComparison.Ordinal);
        Assert.Contains("| 10 | bm25-turns | 1 | 1.000 | 0.500 | - | 900.0 |", text, StringComparison.Ordinal);
    }
}
