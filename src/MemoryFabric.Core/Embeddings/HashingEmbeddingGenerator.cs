using MemoryFabric.Text;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// A deterministic, offline embedding generator by feature hashing: stemmed terms, term bigrams and character
/// trigrams of each term are hashed (with a sign) into a fixed number of dimensions, then L2-normalized.
/// It needs no model and no network; it captures lexical and morphological overlap, not meaning. It is the
/// fallback when no sentence encoder is available.
/// </summary>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model id reported in metadata and on each embedding.</summary>
    public const string ModelId = "memoryfabric-hashing-v1";

    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates a generator.</summary>
    /// <param name="dimensions">The vector size (default 384, like MiniLM's).</param>
    public HashingEmbeddingGenerator(int dimensions = 384)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 8);
        Dimensions = dimensions;
        _metadata = new EmbeddingGeneratorMetadata("memoryfabric-hashing", defaultModelId: ModelId, defaultModelDimensions: dimensions);
    }

    /// <summary>The vector size.</summary>
    public int Dimensions { get; }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId, CreatedAt = null });
        }

        return Task.FromResult(result);
    }

    /// <summary>Embeds one text synchronously.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A unit-length vector (all zeros for a text without terms).</returns>
    public float[] Embed(string? text)
    {
        // Features are weighted sublinearly (1 + ln tf): a name repeated five times does not drown the rest.
        var features = new Dictionary<(string Feature, uint Seed), (float Weight, int Count)>();
        void Count(string feature, uint seed, float weight)
        {
            var key = (feature, seed);
            features[key] = (weight, features.GetValueOrDefault(key).Count + 1);
        }

        var terms = TextAnalyzer.Terms(text);
        for (var i = 0; i < terms.Count; i++)
        {
            var t = terms[i];
            Count(t, 0x9E3779B9u, 1.0f);
            if (i + 1 < terms.Count)
            {
                Count(t + " " + terms[i + 1], 0x85EBCA6Bu, 0.5f);
            }

            if (t.Length >= 4)
            {
                var padded = "<" + t + ">";
                for (var j = 0; j + 3 <= padded.Length; j++)
                {
                    Count(padded.Substring(j, 3), 0xC2B2AE35u, 0.25f);
                }
            }
        }

        var v = new float[Dimensions];
        foreach (var ((feature, seed), (weight, count)) in features)
        {
            Add(v, Hash(feature, seed), weight * (1 + MathF.Log(count)));
        }

        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(v));
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        }

        return v;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(float[] v, uint hash, float weight)
    {
        var index = (int)(hash % (uint)v.Length);
        v[index] += (hash & 0x80000000u) != 0 ? -weight : weight;
    }

    // FNV-1a with a seed: stable across processes and platforms (string.GetHashCode is randomized).
    private static uint Hash(string s, uint seed)
    {
        var h = 2166136261u ^ seed;
        foreach (var c in s)
        {
            h ^= c;
            h *= 16777619u;
        }

        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return h;
    }
}
