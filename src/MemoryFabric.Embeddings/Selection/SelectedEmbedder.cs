using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>The embedder <see cref="EmbedderSelection"/> chose.</summary>
/// <param name="Generator">The embedder; the caller owns and disposes it.</param>
/// <param name="Name">A short name: the model id, or <c>hashing</c>.</param>
/// <param name="Warning">Why the fallback was chosen, when it was chosen for lack of the model.</param>
public sealed record SelectedEmbedder(IEmbeddingGenerator<string, Embedding<float>> Generator, string Name, string? Warning);
