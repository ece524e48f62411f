namespace MemoryFabric.Conversation;

/// <summary>The role of the party that produced a turn.</summary>
public enum TurnRole
{
    /// <summary>A human user (or, in a human-human conversation, any participant).</summary>
    User,

    /// <summary>The AI assistant.</summary>
    Assistant,

    /// <summary>A system message.</summary>
    System,

    /// <summary>Output of a tool, a web page or a document.</summary>
    Tool,
}
