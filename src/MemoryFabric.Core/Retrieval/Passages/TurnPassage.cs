namespace MemoryFabric.Retrieval.Passages;

/// <summary>A passage of a long turn: a window of consecutive sentences, located in the turn's text.</summary>
/// <param name="TurnId">The turn the passage belongs to.</param>
/// <param name="Ordinal">Its index among the turn's passages (they start at successive sentences).</param>
/// <param name="Start">Where it starts in the turn's text (characters).</param>
/// <param name="Length">How many characters it spans.</param>
public readonly record struct TurnPassage(string TurnId, int Ordinal, int Start, int Length)
{
    /// <summary>Where it ends in the turn's text (exclusive).</summary>
    public int End => Start + Length;

    /// <summary>Whether it shares characters with another passage of the same turn.</summary>
    /// <param name="other">The other passage.</param>
    /// <returns>Whether the spans overlap.</returns>
    public bool Overlaps(TurnPassage other) => Start < other.End && other.Start < End;
}
