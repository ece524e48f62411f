using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Http;

// The envelopes of the HTTP API that carry the shared records; internal because callers see the records only.

internal sealed record IngestRequestBody(IReadOnlyList<TurnInput> Turns);

internal sealed record TurnsBody(IReadOnlyList<Turn> Turns);

internal sealed record HitsBody(IReadOnlyList<SearchHit> Hits);

internal sealed record NotesBody(IReadOnlyList<Note> Notes);

internal sealed record VersionsBody(IReadOnlyList<Note> Versions);

internal sealed record PurgeBody(int Purged);

internal sealed record TenantsBody(IReadOnlyList<TenantInfo> Tenants);

internal sealed record ApiKeysBody(IReadOnlyList<ApiKeyInfo> Keys);

internal sealed record CreateTenantBody(string Id, string Name);

internal sealed record CreateApiKeyBody(string Name);

internal sealed record HealthBody(string? Status);
