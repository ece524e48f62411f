using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Orleans.Agents;

/// <summary>Everything an agent holds, for export: turns in conversation order, episodes, and every note version.</summary>
/// <param name="Turns">The turns.</param>
/// <param name="Episodes">The episodes.</param>
/// <param name="Notes">Every note version, active or not.</param>
public sealed record AgentExport(IReadOnlyList<Turn> Turns, IReadOnlyList<Episode> Episodes, IReadOnlyList<Note> Notes);

/// <summary>What an import stored.</summary>
/// <param name="Turns">Turns stored.</param>
/// <param name="Notes">Note versions stored.</param>
/// <param name="Skipped">Records skipped (already present, or episodes, which consolidation rebuilds).</param>
public sealed record AgentImportResult(int Turns, int Notes, int Skipped);
