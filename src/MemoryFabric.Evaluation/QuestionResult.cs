namespace MemoryFabric.Evaluation;

/// <summary>The measures of one question under one strategy.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="QuestionId">The question.</param>
/// <param name="Category">Its category.</param>
/// <param name="EvidenceRecall">Evidence recall, or <see langword="null"/> when the question has no readable
/// evidence.</param>
/// <param name="AnswerCoverage">Answer coverage, or <see langword="null"/> when no answer has content words.</param>
/// <param name="EvidenceTextCoverage">Evidence-text coverage, or <see langword="null"/> when there are no
/// statements.</param>
/// <param name="ContextTokens">The context's size in tokens.</param>
/// <param name="LatencyMs">How long <c>GetContextAsync</c> took, in milliseconds.</param>
public sealed record QuestionResult(
    string ConversationId,
    string QuestionId,
    string Category,
    double? EvidenceRecall,
    double? AnswerCoverage,
    double? EvidenceTextCoverage,
    int ContextTokens,
    double LatencyMs);
