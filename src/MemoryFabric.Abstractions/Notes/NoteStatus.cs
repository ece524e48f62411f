namespace MemoryFabric.Notes;

/// <summary>The life-cycle state of a note version.</summary>
public enum NoteStatus
{
    /// <summary>The current version, retrievable.</summary>
    Active,

    /// <summary>Replaced by a newer version (an update or a contradicting note); kept for history.</summary>
    Superseded,

    /// <summary>Strength fell below the archive threshold; kept, not retrieved by default.</summary>
    Archived,

    /// <summary>Deleted by request (a tombstone); a purge removes it for good.</summary>
    Deleted,
}
