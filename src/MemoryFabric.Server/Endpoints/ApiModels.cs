using System.Text.Json.Serialization;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The body of <c>POST /v1/agents/{agent}/turns</c>.</summary>
/// <param name="Turns">The turns.</param>
public sealed record IngestTurnsRequest(IReadOnlyList<TurnInput> Turns);

/// <summary>A list of turns.</summary>
/// <param name="Turns">The turns.</param>
public sealed record TurnList(IReadOnlyList<Turn> Turns);

/// <summary>Search hits.</summary>
/// <param name="Hits">The hits, best first.</param>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Hits);

/// <summary>A list of notes.</summary>
/// <param name="Notes">The notes.</param>
public sealed record NoteList(IReadOnlyList<Note> Notes);

/// <summary>A note's versions.</summary>
/// <param name="Versions">Oldest first.</param>
public sealed record NoteHistory(IReadOnlyList<Note> Versions);

/// <summary>The result of a purge.</summary>
/// <param name="Purged">How many versions were removed.</param>
public sealed record PurgeResult(int Purged);

/// <summary>An agent's counts.</summary>
/// <param name="Agent">The agent name.</param>
/// <param name="Turns">Turns stored.</param>
/// <param name="Episodes">Episodes.</param>
/// <param name="Notes">Active notes.</param>
/// <param name="PendingEmbeddings">Items stored but not yet in the dense index.</param>
public sealed record AgentSummary(string Agent, int Turns, int Episodes, int Notes, int PendingEmbeddings);

/// <summary>One line of an export or import (<c>application/x-ndjson</c>).</summary>
/// <param name="Type"><c>turn</c>, <c>episode</c> or <c>note</c>.</param>
/// <param name="Turn">The turn.</param>
/// <param name="Episode">The episode.</param>
/// <param name="Note">The note version.</param>
public sealed record ExportRecord(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Turn? Turn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Episode? Episode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Note? Note = null);

/// <summary>What an import stored.</summary>
/// <param name="Turns">Turns stored.</param>
/// <param name="Notes">Note versions stored.</param>
/// <param name="Skipped">Records skipped.</param>
public sealed record ImportResponse(int Turns, int Notes, int Skipped);

/// <summary>The body of <c>POST /v1/admin/tenants</c>.</summary>
/// <param name="Id">The tenant id.</param>
/// <param name="Name">A display name.</param>
public sealed record CreateTenantRequest(string Id, string? Name);

/// <summary>A tenant.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record TenantResponse(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>Tenants.</summary>
/// <param name="Tenants">By id.</param>
public sealed record TenantList(IReadOnlyList<TenantResponse> Tenants);

/// <summary>The body of <c>POST /v1/admin/tenants/{tenant}/keys</c>.</summary>
/// <param name="Name">A label.</param>
public sealed record CreateKeyRequest(string? Name);

/// <summary>An API key (no secret).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its label.</param>
/// <param name="Tenant">Its tenant.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Key">The secret: only in the response that creates it.</param>
public sealed record KeyResponse(string Id, string Name, string Tenant, DateTimeOffset CreatedAt, string? Key = null);

/// <summary>API keys.</summary>
/// <param name="Keys">The keys.</param>
public sealed record KeyList(IReadOnlyList<KeyResponse> Keys);
