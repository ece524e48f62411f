using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>The embedder <see cref="EmbedderSelection"/> chose.</summary>
/// <param name="Generator">The embedder; the caller owns and disposes it.</param>
/// <param name="Name">A short name: the model id, or <c>hashing</c>.</param>
/// <param name="Warning">Why a weaker embedder than <see cref="EmbedderKind.Auto"/>'s first choice was chosen (MiniLM for
/// lack of arctic-xs, the hashed fallback for lack of both models), or <see langword="null"/>.</param>
public sealed record SelectedEmbedder(IEmbeddingGenerator<string, Embedding<float>> Generator, string Name, string? Warning);
