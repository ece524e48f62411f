namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>The conversation styles <see cref="SyntheticDatasetGenerator"/> writes.</summary>
public enum SyntheticStyle
{
    /// <summary>A user asks an assistant for help over many sessions: long requests with personal facts said in
    /// passing, long answers with specifics, facts that change, questions dated after the sessions.</summary>
    Assistant,

    /// <summary>Two friends chat over 20+ sessions in many short messages: typos, slang, emoji, shared photos,
    /// facts spread over several messages, implied facts, nicknames, updates.</summary>
    Chat,
}
