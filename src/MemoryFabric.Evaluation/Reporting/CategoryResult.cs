namespace MemoryFabric.Evaluation.Reporting;

/// <summary>The means of one strategy over the questions of one category.</summary>
/// <param name="Questions">The questions of the category.</param>
/// <param name="EvidenceRecall">Mean evidence recall over those with readable evidence, or <see langword="null"/>
/// when none has.</param>
/// <param name="AnswerCoverage">Mean answer coverage over those whose answer has content words, or
/// <see langword="null"/>.</param>
/// <param name="EvidenceTextCoverage">Mean evidence-text coverage over those with statements, or
/// <see langword="null"/>.</param>
/// <param name="MeanContextTokens">Mean context size in tokens.</param>
public sealed record CategoryResult(
    int Questions,
    double? EvidenceRecall,
    double? AnswerCoverage,
    double? EvidenceTextCoverage,
    double MeanContextTokens);
