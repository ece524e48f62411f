namespace MemoryFabric.Retrieval.Passages;

/// <summary>How long turns are indexed and packed as passages (issue 27, item 2).</summary>
public sealed class PassageOptions
{
    /// <summary>A turn with more tokens than this is indexed as passages and packed as an excerpt (default 120; 0
    /// turns passages off). Measured: no LoCoMo turn and no turn of the generated chat set is that long (their
    /// longest are 118 and 26 tokens); half the turns of the generated assistant set are (median 142, longest 694).</summary>
    public int LongTurnTokens { get; set; } = 120;

    /// <summary>The most tokens of a passage, as sentences add up (default 60; a longer sentence is a passage of its
    /// own).</summary>
    public int PassageTokens { get; set; } = 60;

    /// <summary>Weight of the list of long turns ranked by their best passage, in fusion, relative to the turns'
    /// lexical list (default 1).</summary>
    public double Weight { get; set; } = 1.0;

    /// <summary>An excerpt shows the best passage and, when it does not overlap it, the next best one that scores at
    /// least this share of the best (default 0.5; 1 or more shows one passage only).</summary>
    public double SecondPassageShare { get; set; } = 0.5;
}
