namespace MemoryFabric.Evaluation.Strategies;

/// <summary>How the turn baselines (<c>bm25-turns</c>, <c>dense-turns</c>, <c>recent</c>, <c>full</c>) index and
/// render turns. The defaults are the calibrated ones (see src/MemoryFabric.Evaluation/README.md).</summary>
public sealed record TurnBaselineOptions
{
    /// <summary>Prefix each line with the session date, <c>[8 May 2023] Caroline: …</c> (default
    /// <see langword="true"/>). Without it: <c>Caroline: …</c>.</summary>
    public bool IncludeDate { get; init; } = true;

    /// <summary>Index the speaker's name with the turn text for search (default <see langword="false"/>: text
    /// only).</summary>
    public bool IndexSpeaker { get; init; }

    /// <summary>Render packed turns in conversation order (default <see langword="true"/>); otherwise best
    /// first. It changes what a reader sees, not what the context covers.</summary>
    public bool Chronological { get; init; } = true;
}
