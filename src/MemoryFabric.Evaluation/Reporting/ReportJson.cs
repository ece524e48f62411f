using System.Text.Json;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>Writes an <see cref="EvaluationReport"/> as JSON with snake_case names:
/// <c>{"dataset", "budget", "strategies": {"fabric": {"questions", "evidence_recall", "answer_coverage",
/// "evidence_text_coverage", "mean_context_tokens", "ingest_seconds", "search_p50_ms", "search_p99_ms",
/// "per_category": {"1": {"questions", "evidence_recall", "answer_coverage", "evidence_text_coverage",
/// "mean_context_tokens"}}}}}</c>. Missing means are <c>null</c>.</summary>
public static class ReportJson
{
    /// <summary>The serializer options used.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Serializes a report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(EvaluationReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>Writes a report to a file (its folder is created if needed).</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The file path.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static async Task WriteAsync(EvaluationReport report, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(path, Serialize(report) + "\n", cancellationToken).ConfigureAwait(false);
    }
}
