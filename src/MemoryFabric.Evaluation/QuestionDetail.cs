using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation;

/// <summary>What one strategy gave for one question, to see why it scored as it did: the question, its gold answers
/// and evidence, the evidence the context missed and the context itself.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Question">The question as the dataset has it.</param>
/// <param name="Result">Its measures.</param>
/// <param name="MissedEvidence">The gold evidence turn ids no context item covers.</param>
/// <param name="Context">The context the strategy returned.</param>
public sealed record QuestionDetail(
    string Strategy,
    Datasets.DatasetQuestion Question,
    QuestionResult Result,
    IReadOnlyList<string> MissedEvidence,
    MemoryContext Context);
