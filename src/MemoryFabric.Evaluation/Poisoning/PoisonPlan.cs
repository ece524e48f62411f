using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>What the benchmark injects into one conversation.</summary>
/// <param name="Conversation">The clean conversation.</param>
/// <param name="Questions">The questions asked (targeted and clean), in file order.</param>
/// <param name="Targets">The targeted questions, in file order.</param>
/// <param name="Records">The poisoned records, every kind for every target.</param>
public sealed record PoisonPlan(
    DatasetConversation Conversation,
    IReadOnlyList<DatasetQuestion> Questions,
    IReadOnlyList<DatasetQuestion> Targets,
    IReadOnlyList<PoisonRecord> Records)
{
    /// <summary>How the records are labelled.</summary>
    public PoisonMode Mode { get; init; }

    /// <summary>The instruction wording families drawn from.</summary>
    public WordingSelection Wording { get; init; } = WordingSelection.Unseen;

    /// <summary>The questions that are not targeted.</summary>
    public IEnumerable<DatasetQuestion> CleanQuestions
    {
        get
        {
            var targeted = Targets.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            return Questions.Where(q => !targeted.Contains(q.Id));
        }
    }

    /// <summary>The records of one injection round.</summary>
    /// <param name="round">1 or 2 (the repeated lie, the chorus).</param>
    /// <returns>The records, in generation order.</returns>
    public IEnumerable<PoisonRecord> Round(int round) => Records.Where(r => r.Round == round);
}
