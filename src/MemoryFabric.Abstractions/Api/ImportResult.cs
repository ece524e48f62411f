namespace MemoryFabric.Api;

/// <summary>What an import stored: the answer of <c>POST /v1/agents/{agent}/import</c>.</summary>
/// <param name="Turns">Turns stored.</param>
/// <param name="Notes">Note versions stored.</param>
/// <param name="Skipped">Records skipped: turns and note versions already stored, and episodes (which consolidation
/// rebuilds).</param>
public sealed record ImportResult(long Turns, long Notes, long Skipped);
