namespace MemoryFabric.Retrieval.Offloading;

/// <summary>
/// An index outside an agent's memory that holds the dense vectors of the turns the memory offloaded
/// (<see cref="AgentMemory.OffloadTurnVectors"/>): in the fabric, the tenant's vector shards filtered to the agent.
/// A large agent's search asks it for its dense turn candidates and merges them with the turn vectors still held in the
/// activation, so the activation's vector memory stays bounded however long the conversation grows.
/// </summary>
public interface IOffloadedVectorIndex
{
    /// <summary>The turns of this agent most similar to a query, as the index holds them.</summary>
    /// <param name="query">A unit-length query vector (the memory's embedder).</param>
    /// <param name="limit">How many turns at most.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>Turn ids with their cosine similarity, most similar first. May hold turns the memory no longer holds
    /// or holds again (the memory filters them).</returns>
    Task<IReadOnlyList<ScoredKey<string>>> SearchTurnsAsync(float[] query, int limit, CancellationToken cancellationToken);
}
