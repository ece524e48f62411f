namespace MemoryFabric.Evaluation.Datasets;

/// <summary>A question about a conversation with its gold answers and evidence.</summary>
/// <param name="Id">The question id (LoCoMo: <c>{sample_id}_qa{index}</c>, 0-based).</param>
/// <param name="Question">The question text.</param>
/// <param name="Date">When it is asked, or <see langword="null"/> for "after the last session".</param>
/// <param name="Answers">The gold answers (any of them is correct).</param>
/// <param name="Evidence">The raw evidence turn ids, as written in the file (see
/// <see cref="Metrics.EvidenceIds"/>).</param>
/// <param name="EvidenceText">Statements the answer rests on (may be empty).</param>
/// <param name="Category">The category (LoCoMo's number as a string, "1" to "5").</param>
public sealed record DatasetQuestion(
    string Id,
    string Question,
    DateTimeOffset? Date,
    IReadOnlyList<string> Answers,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<string> EvidenceText,
    string Category);
