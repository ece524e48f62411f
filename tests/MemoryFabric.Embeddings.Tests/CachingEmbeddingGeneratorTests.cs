using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests;

/// <summary>The embedding cache: hits skip the inner generator, duplicates are encoded once, order is kept,
/// capacity is bounded and options are part of the key.</summary>
public sealed class CachingEmbeddingGeneratorTests
{
    [Fact]
    public async Task Repeated_texts_are_not_encoded_again()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);

        var first = await cache.GenerateAsync(["alpha", "beta"]);
        var second = await cache.GenerateAsync(["beta", "gamma", "alpha"]);

        Assert.Equal(["alpha", "beta", "gamma"], inner.Encoded);
        Assert.Equal(first[1].Vector.ToArray(), second[0].Vector.ToArray());
        Assert.Equal(first[0].Vector.ToArray(), second[2].Vector.ToArray());
        Assert.Equal(CountingGenerator.VectorOf("gamma"), second[1].Vector.ToArray());
        Assert.Equal(2, cache.Hits);
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public async Task Duplicates_within_a_call_are_encoded_once_and_answered_in_order()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);

        var result = await cache.GenerateAsync(["x", "y", "x", "x"]);

        Assert.Equal(["x", "y"], inner.Encoded);
        Assert.Equal(4, result.Count);
        Assert.Equal(CountingGenerator.VectorOf("x"), result[2].Vector.ToArray());
        Assert.Equal(CountingGenerator.VectorOf("y"), result[1].Vector.ToArray());
    }

    [Fact]
    public async Task The_least_recently_used_entry_is_evicted_past_capacity()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner, new CachingEmbeddingGeneratorOptions { Capacity = 2 });

        await cache.GenerateAsync(["a"]);
        await cache.GenerateAsync(["b"]);
        await cache.GenerateAsync(["a"]); // a becomes most recent
        await cache.GenerateAsync(["c"]); // evicts b
        await cache.GenerateAsync(["a", "b"]);

        Assert.Equal(["a", "b", "c", "b"], inner.Encoded);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Options_with_another_model_or_dimension_are_separate_entries()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);

        await cache.GenerateAsync(["t"]);
        await cache.GenerateAsync(["t"], new EmbeddingGenerationOptions { Dimensions = 8 });
        await cache.GenerateAsync(["t"], new EmbeddingGenerationOptions { ModelId = "other" });
        await cache.GenerateAsync(["t"], new EmbeddingGenerationOptions { Dimensions = 8 });

        Assert.Equal(3, inner.Encoded.Count);
    }

    [Fact]
    public async Task A_call_s_priority_and_deadline_do_not_split_the_cache()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);

        await cache.GenerateAsync(["t"], EmbeddingPriority.CreateBackgroundOptions()); // an ingest's batch
        await cache.GenerateAsync(["t"], EmbeddingPriority.CreateInteractiveOptions(TimeSpan.FromMilliseconds(5))); // a query
        await cache.GenerateAsync(["t"]);

        Assert.Equal(["t"], inner.Encoded);
    }

    [Fact]
    public async Task A_query_and_a_document_of_the_same_text_share_an_entry_for_a_symmetric_encoder()
    {
        var inner = new CountingGenerator();
        using var cache = new CachingEmbeddingGenerator(inner);

        await cache.GenerateAsync(["t"], EmbeddingPriority.CreateBackgroundOptions());     // stored as a document
        await cache.GenerateAsync(["t"], EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions())); // asked as a query

        Assert.Equal(["t"], inner.Encoded);
        Assert.True(EmbeddingInputType.IsQuery(EmbeddingInputType.AsQuery()));
        Assert.False(EmbeddingInputType.IsQuery(EmbeddingPriority.CreateInteractiveOptions()));
    }

    [Fact]
    public async Task A_failing_inner_generator_caches_nothing()
    {
        var inner = new CountingGenerator { Fail = true };
        using var cache = new CachingEmbeddingGenerator(inner);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GenerateAsync(["a"]));
        inner.Fail = false;
        await cache.GenerateAsync(["a"]);

        Assert.Equal(["a", "a"], inner.Encoded);
    }

    [Fact]
    public void Capacity_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachingEmbeddingGenerator(new CountingGenerator(), new CachingEmbeddingGeneratorOptions { Capacity = 0 }));

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Encoded { get; } = [];

        public bool Fail { get; set; }

        public static float[] VectorOf(string text) => [text.Length, text[0], text.GetHashCode(StringComparison.Ordinal) % 1000];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            lock (Encoded)
            {
                Encoded.AddRange(list);
            }

            if (Fail)
            {
                throw new InvalidOperationException("inner failed");
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(t => new Embedding<float>(VectorOf(t)))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
