namespace MemoryFabric.Mcp.Tools;

/// <summary>The tools' names: fixed, so that prompts and clients can rely on them.</summary>
public static class ToolNames
{
    /// <summary>Stores one turn or a batch.</summary>
    public const string AddMemory = "add_memory";

    /// <summary>Searches turns, episodes and notes.</summary>
    public const string SearchMemory = "search_memory";

    /// <summary>Packs the context for a query within a token budget.</summary>
    public const string GetContext = "get_context";

    /// <summary>Lists the active notes, paged.</summary>
    public const string ListNotes = "list_notes";

    /// <summary>Gets a note with its history.</summary>
    public const string GetNote = "get_note";

    /// <summary>Writes a new version of a note, guarded by its version.</summary>
    public const string UpdateNote = "update_note";

    /// <summary>Removes a note for good.</summary>
    public const string Forget = "forget";

    /// <summary>Lists the tenant's agents, paged.</summary>
    public const string ListAgents = "list_agents";

    /// <summary>Every tool, in the order they are listed.</summary>
    public static IReadOnlyList<string> All { get; } = [AddMemory, SearchMemory, GetContext, ListNotes, GetNote, UpdateNote, Forget, ListAgents];
}
