using System.Globalization;
using System.Text;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>Renders an <see cref="EvaluationReport"/> as a table, one row per strategy, then a per-category block;
/// as aligned plain text or as Markdown (to paste into a README).</summary>
public static class ReportTable
{
    private static readonly string[] SummaryHeaders =
        ["strategy", "questions", "evidence recall", "answer coverage", "evidence text cov.", "mean tokens", "ingest s", "p50 ms", "p99 ms"];

    private static readonly string[] CategoryHeaders =
        ["category", "strategy", "questions", "evidence recall", "answer coverage", "evidence text cov.", "mean tokens"];

    /// <summary>Renders the report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="markdown">Markdown tables instead of aligned plain text.</param>
    /// <returns>The text, ending with a line break.</returns>
    public static string Render(EvaluationReport report, bool markdown = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        var categories = report.Categories is null ? "all" : string.Join(", ", report.Categories);
        sb.AppendLine(CultureInfo.InvariantCulture, $"dataset {report.Dataset}, budget {report.Budget} tokens, categories {categories}");
        sb.AppendLine();

        var summary = new TextTable(SummaryHeaders);
        foreach (var (name, r) in report.Strategies)
        {
            summary.Add(
                Label(report, name),
                r.Questions.ToString(CultureInfo.InvariantCulture),
                Rate(r.EvidenceRecall),
                Rate(r.AnswerCoverage),
                Rate(r.EvidenceTextCoverage),
                r.MeanContextTokens.ToString("0.0", CultureInfo.InvariantCulture),
                r.IngestSeconds.ToString("0.00", CultureInfo.InvariantCulture),
                r.SearchP50Ms.ToString("0.00", CultureInfo.InvariantCulture),
                r.SearchP99Ms.ToString("0.00", CultureInfo.InvariantCulture));
        }

        summary.WriteTo(sb, markdown);

        var byCategory = new TextTable(CategoryHeaders, leftAligned: 2);
        var allCategories = report.Strategies.Values.SelectMany(r => r.PerCategory.Keys).Distinct(StringComparer.Ordinal).Order(CategoryOrder.Instance);
        foreach (var category in allCategories)
        {
            foreach (var (name, r) in report.Strategies)
            {
                if (r.PerCategory.TryGetValue(category, out var c))
                {
                    byCategory.Add(
                        category,
                        Label(report, name),
                        c.Questions.ToString(CultureInfo.InvariantCulture),
                        Rate(c.EvidenceRecall),
                        Rate(c.AnswerCoverage),
                        Rate(c.EvidenceTextCoverage),
                        c.MeanContextTokens.ToString("0.0", CultureInfo.InvariantCulture));
                }
            }
        }

        sb.AppendLine();
        sb.AppendLine(markdown ? "Per category:" : "per category:");
        sb.AppendLine();
        byCategory.WriteTo(sb, markdown);
        WriteNotes(sb, report, markdown);
        return sb.ToString();
    }

    private static void WriteNotes(StringBuilder sb, EvaluationReport report, bool markdown)
    {
        var notes = new List<string>();
        if (report.UnbudgetedStrategies.Any(report.Strategies.ContainsKey))
        {
            notes.Add($"{string.Join(", ", report.UnbudgetedStrategies.Where(report.Strategies.ContainsKey))} (*) ignores the budget: an upper-bound reference, not a competitor.");
        }

        var first = report.Strategies.Values.FirstOrDefault();
        if (first is not null && first.QuestionsWithEvidence < first.Questions)
        {
            notes.Add($"evidence recall is averaged over the {first.QuestionsWithEvidence} of {first.Questions} questions with readable evidence ids.");
        }

        if (first is not null && first.QuestionsWithAnswer < first.Questions)
        {
            notes.Add($"answer coverage is averaged over the {first.QuestionsWithAnswer} of {first.Questions} questions whose answer has content words.");
        }

        foreach (var (name, r) in report.Strategies)
        {
            if (r.OverBudget > 0 && !report.UnbudgetedStrategies.Contains(name))
            {
                notes.Add($"{name}: {r.OverBudget} contexts exceeded the budget.");
            }
        }

        foreach (var (name, error) in report.Failures)
        {
            notes.Add($"{name} FAILED: {error}");
        }

        if (notes.Count == 0)
        {
            return;
        }

        sb.AppendLine();
        foreach (var note in notes)
        {
            sb.AppendLine(markdown ? $"- {note}" : note);
        }
    }

    private static string Label(EvaluationReport report, string name) =>
        report.UnbudgetedStrategies.Contains(name) ? name + " (*)" : name;

    private static string Rate(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";
}
