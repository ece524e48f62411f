namespace MemoryFabric.Client.Http;

// The envelopes of the HTTP API live in MemoryFabric.Api (MemoryFabric.Abstractions), shared with the server; only
// what the client alone reads stays here.

internal sealed record HealthBody(string? Status);
