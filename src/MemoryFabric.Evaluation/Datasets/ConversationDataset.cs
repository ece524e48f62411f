namespace MemoryFabric.Evaluation.Datasets;

/// <summary>A dataset of conversations with questions about them, as read from a file.</summary>
/// <param name="Name">The dataset's name (the generic format's <c>name</c>, or the file name for LoCoMo).</param>
/// <param name="Format">The format it was read from.</param>
/// <param name="Conversations">The conversations, in file order.</param>
public sealed record ConversationDataset(string Name, DatasetFormat Format, IReadOnlyList<DatasetConversation> Conversations)
{
    /// <summary>The number of turns over all conversations.</summary>
    public int TurnCount => Conversations.Sum(c => c.TurnCount);

    /// <summary>The number of questions over all conversations.</summary>
    public int QuestionCount => Conversations.Sum(c => c.Questions.Count);
}
