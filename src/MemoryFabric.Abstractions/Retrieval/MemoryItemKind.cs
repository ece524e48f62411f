namespace MemoryFabric.Retrieval;

/// <summary>The level of the memory hierarchy an item comes from.</summary>
public enum MemoryItemKind
{
    /// <summary>A verbatim turn.</summary>
    Turn,

    /// <summary>An episode (rendered as its summary).</summary>
    Episode,

    /// <summary>A note.</summary>
    Note,
}
