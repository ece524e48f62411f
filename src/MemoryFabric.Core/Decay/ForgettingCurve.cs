using MemoryFabric.Notes;

namespace MemoryFabric.Decay;

/// <summary>
/// An Ebbinghaus forgetting curve (as in MemoryBank): strength halves every half-life since the last recall; the
/// half-life grows with importance and with every recall (the spacing effect), and a recall restores full strength.
/// </summary>
public sealed class ForgettingCurve
{
    private readonly ForgettingCurveOptions _options;

    /// <summary>Creates a curve.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public ForgettingCurve(ForgettingCurveOptions? options = null)
    {
        _options = options ?? new ForgettingCurveOptions();
    }

    /// <summary>The archive threshold.</summary>
    public double ArchiveThreshold => _options.ArchiveThreshold;

    /// <summary>The half-life of a note given its importance and recall count.</summary>
    /// <param name="note">The note.</param>
    /// <returns>The half-life.</returns>
    public TimeSpan HalfLife(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return _options.BaseHalfLife * (1 + note.Importance) * (1 + note.RecallCount);
    }

    /// <summary>The note's strength at a time.</summary>
    /// <param name="note">The note.</param>
    /// <param name="now">The time.</param>
    /// <returns>The strength, between 0 and the strength at the last recall.</returns>
    public double StrengthAt(Note note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(note);
        var elapsed = now - note.LastRecalledAt;
        if (elapsed <= TimeSpan.Zero)
        {
            return note.Strength;
        }

        return note.Strength * Math.Pow(0.5, elapsed / HalfLife(note));
    }

    /// <summary>Reinforces a recalled note: full strength, one more recall, the clock restarted.</summary>
    /// <param name="note">The note.</param>
    /// <param name="now">The time of the recall.</param>
    /// <returns>The reinforced note.</returns>
    public static Note Reinforce(Note note, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note with { Strength = 1.0, RecallCount = note.RecallCount + 1, LastRecalledAt = now };
    }
}
