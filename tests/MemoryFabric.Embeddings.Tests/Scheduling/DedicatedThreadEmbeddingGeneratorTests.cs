using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests.Scheduling;

public sealed class DedicatedThreadEmbeddingGeneratorTests
{
    [Fact]
    public async Task Batches_run_on_the_dedicated_thread_and_single_texts_inline()
    {
        var inner = new RecordingGenerator();
        using var generator = new DedicatedThreadEmbeddingGenerator(inner);

        var batch = await generator.GenerateAsync(["a", "bb", "ccc"]);
        Assert.Equal([1f, 2f, 3f], batch.Select(e => e.Vector.Span[0]).ToArray());
        Assert.Equal("MemoryFabric embedding 1", inner.LastThreadName);
        Assert.False(inner.LastOnPool);

        var caller = Environment.CurrentManagedThreadId;
        await generator.GenerateAsync(["single"]);
        Assert.Equal(caller, inner.LastThreadId);
    }

    [Fact]
    public async Task Errors_and_cancellation_reach_the_caller()
    {
        var inner = new RecordingGenerator { Fail = true };
        using var generator = new DedicatedThreadEmbeddingGenerator(inner);
        await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["a", "b"]));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["a", "b"], cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Metadata_and_services_come_from_the_inner_generator_and_dispose_stops_the_threads()
    {
        var inner = new RecordingGenerator();
        var generator = new DedicatedThreadEmbeddingGenerator(inner);
        Assert.Same(inner, generator.GetService(typeof(RecordingGenerator)));
        await generator.GenerateAsync(["a", "b"]);
        generator.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["a", "b"]));
    }

    private sealed class RecordingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public bool Fail { get; init; }

        public string? LastThreadName { get; private set; }

        public int LastThreadId { get; private set; }

        public bool LastOnPool { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            LastThreadName = Thread.CurrentThread.Name;
            LastThreadId = Environment.CurrentManagedThreadId;
            LastOnPool = Thread.CurrentThread.IsThreadPoolThread;
            if (Fail)
            {
                throw new InvalidOperationException("boom");
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(new float[] { v.Length }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
