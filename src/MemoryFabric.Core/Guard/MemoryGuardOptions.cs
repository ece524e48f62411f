namespace MemoryFabric.Guard;

/// <summary>Options of the memory guard: write-time screening, quarantine and lessons.</summary>
public sealed class MemoryGuardOptions
{
    /// <summary>Whether the guard runs (default <see langword="true"/>). Off, nothing is screened or quarantined at
    /// write time; items quarantined before stay quarantined.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether turns and notes carrying instructions aimed at the model are quarantined at write time
    /// (default <see langword="true"/>); see <see cref="InstructionScreen"/>.</summary>
    public bool ScreenInstructions { get; set; } = true;

    /// <summary>Whether turns and notes matching a lesson are quarantined at write time (default
    /// <see langword="true"/>).</summary>
    public bool UseLessons { get; set; } = true;

    /// <summary>The share of a lesson's trigger signature a text must contain to match it (default 0.6).</summary>
    public double LessonSimilarity { get; set; } = 0.6;
}
