using System.Numerics.Tensors;
using MemoryFabric.Evaluation.Datasets;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>The datasets of <c>memfab bench index</c>.</summary>
public static class IndexDatasets
{
    /// <summary>(a) n vectors around centres drawn uniformly on the unit sphere: normalize(centre + g / √dim), g standard
    /// normal; queries drawn the same way around the same centres.</summary>
    public const string Clustered = "clustered";

    /// <summary>(b) MiniLM sentence embeddings of the LoCoMo turns; queries are the questions.</summary>
    public const string Locomo = "locomo";

    /// <summary>(c) Plain standard-normal vectors, normalized (no structure: reported for completeness).</summary>
    public const string Random = "random";

    /// <summary>All names.</summary>
    public static IReadOnlyList<string> All { get; } = [Clustered, Locomo, Random];

    /// <summary>Generates the clustered set.</summary>
    /// <param name="count">Base vectors.</param>
    /// <param name="queries">Queries.</param>
    /// <param name="dimensions">Dimensions.</param>
    /// <param name="centres">Clusters.</param>
    /// <param name="seed">Seed.</param>
    /// <returns>The set.</returns>
    public static VectorSet GenerateClustered(int count, int queries, int dimensions, int centres, int seed)
    {
        var random = new Random(seed);
        var centreVectors = new float[centres * dimensions];
        FillGaussian(random, centreVectors, 1f);
        for (var c = 0; c < centres; c++)
        {
            Normalize(centreVectors.AsSpan(c * dimensions, dimensions));
        }

        var noise = 1f / MathF.Sqrt(dimensions);
        var data = Draw(random, centreVectors, centres, count, dimensions, noise);
        var queryVectors = Draw(random, centreVectors, centres, queries, dimensions, noise);
        return new VectorSet(
            Clustered,
            $"{count} × {dimensions}: {centres} centres uniform on the unit sphere, vector = normalize(centre + g/√{dimensions}), "
            + $"g ~ N(0, I); {queries} queries drawn the same way; seed {seed}",
            dimensions,
            data,
            queryVectors);
    }

    /// <summary>Generates the random set.</summary>
    /// <param name="count">Base vectors.</param>
    /// <param name="queries">Queries.</param>
    /// <param name="dimensions">Dimensions.</param>
    /// <param name="seed">Seed.</param>
    /// <returns>The set.</returns>
    public static VectorSet GenerateRandom(int count, int queries, int dimensions, int seed)
    {
        var random = new Random(seed);
        var data = GC.AllocateUninitializedArray<float>(checked(count * dimensions));
        var queryVectors = GC.AllocateUninitializedArray<float>(checked(queries * dimensions));
        FillGaussian(random, data, 1f);
        FillGaussian(random, queryVectors, 1f);
        NormalizeRows(data, dimensions);
        NormalizeRows(queryVectors, dimensions);
        return new VectorSet(
            Random,
            $"{count} × {dimensions}: g ~ N(0, I) normalized; {queries} queries drawn the same way; seed {seed}",
            dimensions,
            data,
            queryVectors);
    }

    /// <summary>Embeds the LoCoMo turns (base) and questions (queries).</summary>
    /// <param name="path">The LoCoMo file.</param>
    /// <param name="embedder">The sentence encoder.</param>
    /// <param name="maxCount">At most this many turns.</param>
    /// <param name="maxQueries">At most this many questions.</param>
    /// <param name="progress">Progress output.</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <returns>The set.</returns>
    public static async Task<VectorSet> EmbedLocomoAsync(
        string path,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        int maxCount,
        int maxQueries,
        TextWriter? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        var dataset = DatasetReader.Read(path);
        var turns = dataset.Conversations.SelectMany(c => c.Sessions).SelectMany(s => s.Turns).Select(t => t.Text).Take(maxCount).ToList();
        var questions = dataset.Conversations.SelectMany(c => c.Questions).Select(q => q.Question).Take(maxQueries).ToList();
        var started = DateTime.UtcNow;
        var data = await EmbedAsync(embedder, turns, "turns", progress, cancellationToken).ConfigureAwait(false);
        var queryVectors = await EmbedAsync(embedder, questions, "questions", progress, cancellationToken).ConfigureAwait(false);
        var dimensions = data.Dimensions;
        return new VectorSet(
            Locomo,
            $"{turns.Count} LoCoMo turns × {dimensions} (MiniLM sentence embeddings, normalized) from {Path.GetFileName(path)}; "
            + $"queries: its {questions.Count} questions embedded the same way (embedding took {(DateTime.UtcNow - started).TotalSeconds:F0} s)",
            dimensions,
            data.Vectors,
            queryVectors.Vectors);
    }

    private static async Task<(float[] Vectors, int Dimensions)> EmbedAsync(
        IEmbeddingGenerator<string, Embedding<float>> embedder, List<string> texts, string what, TextWriter? progress, CancellationToken cancellationToken)
    {
        const int BatchSize = 64;
        float[]? vectors = null;
        var dimensions = 0;
        var lastReport = DateTime.UtcNow;
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var batch = texts.GetRange(start, Math.Min(BatchSize, texts.Count - start));
            var embeddings = await embedder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new InvalidOperationException($"The encoder returned {embeddings.Count} vectors for {batch.Count} texts.");
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var vector = embeddings[i].Vector.Span;
                if (vectors is null)
                {
                    dimensions = vector.Length;
                    vectors = new float[texts.Count * dimensions];
                }

                var row = vectors.AsSpan((start + i) * dimensions, dimensions);
                vector.CopyTo(row);
                Normalize(row);
            }

            if (progress is not null && (DateTime.UtcNow - lastReport).TotalSeconds >= 5)
            {
                lastReport = DateTime.UtcNow;
                await progress.WriteLineAsync($"memfab bench index: embedded {start + batch.Count}/{texts.Count} {what}").ConfigureAwait(false);
            }
        }

        return (vectors ?? [], dimensions);
    }

    private static float[] Draw(Random random, float[] centres, int centreCount, int count, int dimensions, float noise)
    {
        var data = GC.AllocateUninitializedArray<float>(checked(count * dimensions));
        FillGaussian(random, data, noise);
        for (var i = 0; i < count; i++)
        {
            var centre = random.Next(centreCount);
            var row = data.AsSpan(i * dimensions, dimensions);
            TensorPrimitives.Add(row, centres.AsSpan(centre * dimensions, dimensions), row);
            Normalize(row);
        }

        return data;
    }

    private static void FillGaussian(Random random, Span<float> values, float scale)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: two independent standard normals per pair of uniforms.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2.0 * Math.Log(u1)) * scale;
            values[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    private static void NormalizeRows(float[] data, int dimensions)
    {
        for (var i = 0; i < data.Length; i += dimensions)
        {
            Normalize(data.AsSpan(i, dimensions));
        }
    }

    private static void Normalize(Span<float> row)
    {
        var norm = TensorPrimitives.Norm(row);
        if (norm > 0)
        {
            TensorPrimitives.Divide(row, norm, row);
        }
    }
}
