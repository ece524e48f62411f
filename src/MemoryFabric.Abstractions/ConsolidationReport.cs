namespace MemoryFabric;

/// <summary>What a consolidation did.</summary>
public sealed record ConsolidationReport
{
    /// <summary>Sessions re-segmented because they received turns.</summary>
    public int SessionsSegmented { get; init; }

    /// <summary>Episodes that exist after the consolidation.</summary>
    public int Episodes { get; init; }

    /// <summary>Episodes whose notes were (re)extracted.</summary>
    public int EpisodesExtracted { get; init; }

    /// <summary>Notes added.</summary>
    public int NotesAdded { get; init; }

    /// <summary>Proposed notes that duplicated existing ones (no-ops).</summary>
    public int NotesUnchanged { get; init; }

    /// <summary>Notes superseded by contradicting newer ones.</summary>
    public int NotesSuperseded { get; init; }

    /// <summary>Links between notes after refreshing.</summary>
    public int Links { get; init; }

    /// <summary>Notes archived because their strength decayed below the threshold.</summary>
    public int NotesArchived { get; init; }

    /// <summary>How long the consolidation took.</summary>
    public TimeSpan Duration { get; init; }
}
