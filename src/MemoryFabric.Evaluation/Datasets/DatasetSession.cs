namespace MemoryFabric.Evaluation.Datasets;

/// <summary>One session (sitting) of a conversation.</summary>
/// <param name="Id">The session id (e.g. <c>session_3</c> for LoCoMo).</param>
/// <param name="Date">When the session took place.</param>
/// <param name="Turns">The turns, in order.</param>
public sealed record DatasetSession(string Id, DateTimeOffset Date, IReadOnlyList<DatasetTurn> Turns);
