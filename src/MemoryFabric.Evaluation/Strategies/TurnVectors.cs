using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>Embeds baseline turns and queries for the dense baselines (<c>dense-turns</c>, <c>hybrid-turns</c>):
/// batches of <see cref="BatchSize"/> texts, vectors normalized to unit length.</summary>
internal static class TurnVectors
{
    /// <summary>The most texts sent to the embedder in one call.</summary>
    public const int BatchSize = 64;

    /// <summary>Embeds every turn's search text and adds it to the index under the turn's order.</summary>
    public static async Task IndexAsync(
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        IReadOnlyList<BaselineTurn> turns,
        TurnBaselineOptions options,
        MemoryFabric.Retrieval.ExactVectorIndex<int> index,
        CancellationToken cancellationToken)
    {
        for (var start = 0; start < turns.Count; start += BatchSize)
        {
            var batch = turns.Skip(start).Take(BatchSize).ToList();
            var embeddings = await embedder.GenerateAsync(batch.Select(t => t.SearchText(options)), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new InvalidOperationException($"The embedder returned {embeddings.Count} vectors for {batch.Count} texts.");
            }

            for (var i = 0; i < batch.Count; i++)
            {
                index.Upsert(batch[i].Order, Normalize(embeddings[i].Vector));
            }
        }
    }

    /// <summary>Embeds a query (marked as one, for asymmetric models such as arctic-xs), normalized.</summary>
    public static async Task<float[]> QueryAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, string question, CancellationToken cancellationToken)
    {
        var embeddings = await embedder.GenerateAsync([question], MemoryFabric.Embeddings.EmbeddingInputType.AsQuery(), cancellationToken).ConfigureAwait(false);
        return Normalize(embeddings[0].Vector);
    }

    /// <summary>A copy of the vector scaled to unit length (unchanged when it is zero or already unit).</summary>
    public static float[] Normalize(ReadOnlyMemory<float> vector)
    {
        var v = vector.ToArray();
        var norm = MathF.Sqrt(TensorPrimitives.SumOfSquares(v));
        if (norm > 0 && MathF.Abs(norm - 1f) > 1e-4f)
        {
            TensorPrimitives.Divide(v, norm, v);
        }

        return v;
    }
}
