using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests;

public sealed class EmbeddingGeneratorBuilderTests
{
    [Fact]
    public async Task The_builder_steps_compose_a_cache_in_front_of_dedicated_threads()
    {
        var inner = new CountingGenerator();

        using var pipeline = inner.AsBuilder()
            .UseMemoryFabricCache(o => o.Capacity = 10)
            .UseDedicatedThreads(o => o.InlineMaxCount = 0)
            .Build();
        var first = await pipeline.GenerateAsync(["alpha", "beta"]);
        var second = await pipeline.GenerateAsync(["beta", "alpha"]);

        var cache = Assert.IsType<CachingEmbeddingGenerator>(pipeline);
        Assert.NotNull(pipeline.GetService<DedicatedThreadEmbeddingGenerator>());
        Assert.Same(inner, pipeline.GetService<CountingGenerator>());
        Assert.Equal(2, inner.Texts);
        Assert.Equal(2, cache.Hits);
        Assert.NotEqual(Environment.CurrentManagedThreadId, inner.LastThread);
        Assert.Equal(first[0].Vector.ToArray(), second[1].Vector.ToArray());
    }

    [Fact]
    public void The_builder_steps_reject_a_null_builder()
    {
        Assert.Throws<ArgumentNullException>(() => EmbeddingGeneratorBuilderExtensions.UseMemoryFabricCache(null!));
        Assert.Throws<ArgumentNullException>(() => EmbeddingGeneratorBuilderExtensions.UseDedicatedThreads(null!));
    }

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _texts;

        public int Texts => Volatile.Read(ref _texts);

        public int LastThread { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            LastThread = Environment.CurrentManagedThreadId;
            var list = values.ToList();
            Interlocked.Add(ref _texts, list.Count);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(t => new Embedding<float>(new float[] { t.Length, t[0] }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
