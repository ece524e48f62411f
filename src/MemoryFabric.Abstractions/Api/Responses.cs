using System.Text.Json.Serialization;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Api;

/// <summary>The answer of <c>GET /v1/agents/{agent}/turns</c>.</summary>
/// <param name="Turns">The turns, in conversation order.</param>
public sealed record TurnList(IReadOnlyList<Turn> Turns)
{
    /// <summary>Where the next page starts (pass it as <c>cursor</c>), or <see langword="null"/> when this page is the
    /// last (always <see langword="null"/> without <c>limit</c>).</summary>
    public string? NextCursor { get; init; }
}

/// <summary>The answer of <c>POST /v1/agents/{agent}/search</c>.</summary>
/// <param name="Hits">The hits, best first.</param>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Hits)
{
    /// <summary>Whether the hits were ranked on lexical signals alone because the embedder could not start on the
    /// query within its queue deadline (the server was busy): no hit has a dense rank. Always in the JSON.</summary>
    public bool Degraded { get; init; }

    /// <summary>Why the answer is degraded: <c>embedding-deadline</c> (the query waited out its deadline) or
    /// <c>embedder-overloaded</c> (the embedder's queue was full); <see langword="null"/> (and absent from the JSON)
    /// when it is not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DegradedReason { get; init; }
}

/// <summary>The answer of <c>GET /v1/agents/{agent}/notes</c>.</summary>
/// <param name="Notes">The notes.</param>
public sealed record NoteList(IReadOnlyList<Note> Notes);

/// <summary>The answer of <c>GET /v1/agents/{agent}/notes/{id}/history</c>: a note's versions.</summary>
/// <param name="Versions">The versions, oldest first.</param>
public sealed record NoteHistory(IReadOnlyList<Note> Versions);

/// <summary>The answer of <c>DELETE /v1/agents/{agent}/notes/{id}?purge=true[&amp;forgetSources=true]</c>.</summary>
/// <param name="Purged">How many versions of the note were removed for good.</param>
public sealed record PurgeResult(int Purged)
{
    /// <summary>The ids of the note's versions removed for good.</summary>
    public IReadOnlyList<string> PurgedNoteIds { get; init; } = [];

    /// <summary>With <c>forgetSources=true</c>: what forgetting the note's source turns (those of every version) removed
    /// besides the note: the turns, the other notes drawn only from them, the notes and episodes redacted.
    /// <see langword="null"/> without it.</summary>
    public TurnForgetResult? Sources { get; init; }
}

/// <summary>The answer of <c>GET /v1/admin/tenants</c>.</summary>
/// <param name="Tenants">The tenants, by id.</param>
public sealed record TenantList(IReadOnlyList<TenantInfo> Tenants);

/// <summary>The answer of <c>GET /v1/admin/tenants/{tenant}/keys</c>.</summary>
/// <param name="Keys">The tenant's keys, without their secrets.</param>
public sealed record KeyList(IReadOnlyList<ApiKeyInfo> Keys);
