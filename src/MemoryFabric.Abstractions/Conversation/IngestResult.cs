namespace MemoryFabric.Conversation;

/// <summary>What an ingest did.</summary>
/// <param name="StoredTurnIds">The ids of the turns stored by this call, in input order.</param>
/// <param name="DuplicateTurnIds">The ids that were already stored and were skipped.</param>
public sealed record IngestResult(IReadOnlyList<string> StoredTurnIds, IReadOnlyList<string> DuplicateTurnIds);
