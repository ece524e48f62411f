namespace MemoryFabric.Conversation;

/// <summary>What forgetting turns removed (ids only, never text).</summary>
/// <param name="ForgottenTurnIds">The turns removed, in request order.</param>
/// <param name="UnknownTurnIds">The requested ids that named no stored turn (nothing was done for them).</param>
/// <param name="PurgedNoteIds">The note versions removed for good: every source they had was forgotten, or they quote a
/// forgotten turn (a short answer's note quotes its question).</param>
/// <param name="RedactedNoteIds">The note versions kept (another source remains) whose provenance lost the forgotten turns.</param>
/// <param name="RebuiltEpisodeIds">The episodes rebuilt without the forgotten turns (turn ids, summary, keywords and
/// entities drawn again from the turns that remain).</param>
/// <param name="RemovedEpisodeIds">The episodes removed because no turn of theirs remains.</param>
public sealed record TurnForgetResult(
    IReadOnlyList<string> ForgottenTurnIds,
    IReadOnlyList<string> UnknownTurnIds,
    IReadOnlyList<string> PurgedNoteIds,
    IReadOnlyList<string> RedactedNoteIds,
    IReadOnlyList<string> RebuiltEpisodeIds,
    IReadOnlyList<string> RemovedEpisodeIds)
{
    /// <summary>The most turn ids one forget call takes.</summary>
    public const int MaxTurnIds = 100;
}
