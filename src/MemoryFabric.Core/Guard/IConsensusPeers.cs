namespace MemoryFabric.Guard;

/// <summary>The other agents of the agent's relation groups, asked for the claims their trusted memories back (the
/// actor host implements it with calls to the tenant's guard actor).</summary>
public interface IConsensusPeers
{
    /// <summary>The claims the peers' trusted memories back about the given subjects.</summary>
    /// <param name="subjects">The subjects (compared case-insensitively).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claims, each naming its agent.</returns>
    Task<IReadOnlyList<ConsensusClaim>> GetClaimsAsync(IReadOnlyCollection<string> subjects, CancellationToken cancellationToken = default);
}
