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

    /// <summary>Whether turns and notes matching a lesson are quarantined, at write time and when they are retrieved
    /// (default <see langword="true"/>).</summary>
    public bool UseLessons { get; set; } = true;

    /// <summary>The share of a lesson's trigger signature a text must contain to match it (default 0.6).</summary>
    public double LessonSimilarity { get; set; } = 0.6;

    /// <summary>Whether retrieval-time consensus runs (default <see langword="true"/>): a candidate of a query from a
    /// weak source whose claim contradicts, or is not backed by, the agent's trusted memories is kept out of the
    /// results and quarantined by the "consensus" detector.</summary>
    public bool Consensus { get; set; } = true;

    /// <summary>Whether the checks that need no trust labels run at retrieval (default <see langword="true"/>): hearsay
    /// about an established speaker that their own account contradicts, new voices repeating one uncorroborated
    /// claim, and retrieval bait from voices with no standing are kept out of the results and quarantined by the
    /// "testimony" detector.</summary>
    public bool Testimony { get; set; } = true;

    /// <summary>The trust from which a source is strong for consensus (default 0.6: user- and assistant-stated
    /// turns; tools, web, documents and imports fall below).</summary>
    public double ConsensusStrongTrust { get; set; } = 0.6;

    /// <summary>The share of the trusted turns a speaker must have spoken to count as a trusted source (a main
    /// participant); others are treated as third parties, weak sources whatever their trust. Default 0: every speaker
    /// with trust of at least <see cref="ConsensusStrongTrust"/> is trusted. Raise it (e.g. 0.1) for memories of one
    /// conversation between few people, where a rare speaker is suspect; leave it at 0 for agents that talk with many
    /// people, whose every user is a minority speaker.</summary>
    public double ConsensusMainParticipantShare { get; set; }

    /// <summary>How many of a weak record's terms the trusted memories must share for the record to be about
    /// something they discuss, and so comparable (default 2).</summary>
    public int ConsensusMinRelatedTerms { get; set; } = 2;

    /// <summary>How many of a weak record's most specific trusted terms (its anchors) each of its terms must have
    /// co-occurred with in a trusted memory to count as backed (default 2).</summary>
    public int ConsensusAnchors { get; set; } = 2;

    /// <summary>Derives the claims (subject, attribute, value) of weak records for consensus, beyond the notes' own
    /// attribute values: e.g. a <see cref="ChatClientClaimExtractor"/> over any <c>IChatClient</c>. None by default
    /// (rules only: notes' attribute values and the term-based check).</summary>
    public IClaimExtractor? ClaimExtractor { get; set; }
}
