namespace MemoryFabric;

/// <summary>The size of an agent memory, from <see cref="AgentMemory.GetStatistics"/>.</summary>
/// <param name="Turns">Stored turns.</param>
/// <param name="Sessions">Sessions (each created by its first turn).</param>
/// <param name="Episodes">Episodes.</param>
/// <param name="ActiveNotes">Active note versions (the retrievable notes).</param>
/// <param name="NoteVersions">All stored note versions, including superseded, archived and deleted ones.</param>
/// <param name="PendingEmbeddings">Items waiting for their dense vector (<see cref="AgentMemory.PendingEmbeddingCount"/>).</param>
/// <param name="LastTurnTime">The latest turn timestamp, or <see langword="null"/> when there is no turn.</param>
public sealed record AgentMemoryStatistics(
    int Turns,
    int Sessions,
    int Episodes,
    int ActiveNotes,
    int NoteVersions,
    int PendingEmbeddings,
    DateTimeOffset? LastTurnTime)
{
    /// <summary>Items the guard keeps out of retrieval (flagged or confirmed).</summary>
    public int Quarantined { get; init; }

    /// <summary>Active (not revoked) guard lessons.</summary>
    public int Lessons { get; init; }

    /// <summary>Turns whose dense vector only an external index holds (a large agent's, searched in the tenant's
    /// shards: <see cref="AgentMemory.OffloadTurnVectors"/>).</summary>
    public int OffloadedTurnVectors { get; init; }
}
