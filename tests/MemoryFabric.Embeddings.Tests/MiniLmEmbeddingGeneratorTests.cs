using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Tests.Support;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests;

/// <summary>
/// The generator end to end: reference similarities from ONNX Runtime on the same model, unit vectors, batch and
/// thread independence, a paraphrase retrieval check, cancellation, metadata and options.
/// </summary>
public sealed class MiniLmEmbeddingGeneratorTests : IClassFixture<ModelFixture>
{
    // Cosines ONNX Runtime gives for these pairs with this model (fp32 and as shipped agree to ±0.002).
    public static TheoryData<string, string, float> ReferenceCosines => new()
    {
        { "The cat sits on the mat.", "A kitten is resting on a rug.", 0.652f },
        { "The cat sits on the mat.", "Quarterly revenue grew by twelve percent.", 0.010f },
        { "How do I reset my password?", "I forgot my login credentials and need to change them.", 0.653f },
        { "How do I reset my password?", "The weather in Paris is sunny today.", -0.007f },
    };

    private static readonly string[] Memories =
    [
        "I adopted a golden retriever puppy last spring.",
        "My sister is getting married in Lisbon this October.",
        "I'm allergic to peanuts, so I always check food labels.",
        "The quarterly sales report is due to the finance team on Friday.",
        "I started learning to play the cello two months ago.",
        "Our apartment's heating broke down during the cold snap.",
        "I switched from coffee to green tea to sleep better.",
        "We booked a hiking trip through the Swiss Alps for next summer.",
    ];

    private static readonly string[] Paraphrases =
    [
        "Which pet joined the family recently?",
        "When is the sibling's wedding?",
        "Which nut gives them a bad reaction?",
        "When must the revenue summary reach accounting?",
        "What instrument are they practicing?",
        "Did the flat's radiators fail in the freezing weather?",
        "Which drink did they give up to rest well at night?",
        "Where are they trekking in the mountains?",
    ];

    private readonly ModelFixture _fixture;

    public MiniLmEmbeddingGeneratorTests(ModelFixture fixture) => _fixture = fixture;

    private MiniLmEmbeddingGenerator Generator => _fixture.Generator;

    [Theory]
    [MemberData(nameof(ReferenceCosines))]
    public async Task Similarities_match_onnx_runtime(string a, string b, float expected)
    {
        var embeddings = await Generator.GenerateAsync([a, b]);
        var cosine = ModelFixture.Cosine(embeddings[0].Vector.Span, embeddings[1].Vector.Span);
        Assert.InRange(cosine, expected - 0.01f, expected + 0.01f);
    }

    [Fact]
    public void The_fp32_kernel_matches_the_references_and_the_default_kernel()
    {
        using var fp32 = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, Kernel = EncoderKernel.Float32 });
        Assert.False(fp32.UsesInt8Kernel);
        foreach (var row in ReferenceCosines)
        {
            var (a, b, expected) = ((string)row[0], (string)row[1], (float)row[2]);
            var cosine = ModelFixture.Cosine(fp32.Embed(a), fp32.Embed(b));
            Assert.InRange(cosine, expected - 0.01f, expected + 0.01f);
            Assert.InRange(ModelFixture.Cosine(fp32.Embed(a), Generator.Embed(a)), 0.999f, 1.0001f);
        }
    }

    [Fact]
    public async Task Vectors_have_384_dimensions_and_unit_length()
    {
        string[] texts = ["Hello world", "", "   ", "日本語のテキスト", new string('x', 5000), string.Join(" ", Enumerable.Repeat("long text", 600))];
        var embeddings = await Generator.GenerateAsync(texts);
        Assert.Equal(texts.Length, embeddings.Count);
        foreach (var embedding in embeddings)
        {
            Assert.Equal(384, embedding.Vector.Length);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(embedding.Vector.Span));
            Assert.InRange(norm, 0.9999f, 1.0001f);
            Assert.All(embedding.Vector.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public async Task Batched_results_equal_one_by_one_results()
    {
        string[] texts = [.. Memories, .. Paraphrases, "short", string.Join(" ", Enumerable.Repeat("a somewhat longer sentence about nothing much", 12))];
        var batched = await Generator.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = Generator.Embed(texts[i]);
            var vector = batched[i].Vector.Span;
            for (var d = 0; d < 384; d++)
            {
                Assert.InRange(vector[d] - single[d], -1e-4f, 1e-4f);
            }
        }
    }

    [Fact]
    public void Single_threaded_and_small_chunks_give_the_same_vectors()
    {
        string[] texts = [.. Memories, .. Paraphrases];
        var expected = new float[texts.Length * 384];
        Generator.Embed(texts, expected);
        using var single = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions
        {
            ModelDirectory = _fixture.Directory,
            MaxDegreeOfParallelism = 1,
            BatchSize = 3,
        });
        var actual = new float[texts.Length * 384];
        single.Embed(texts, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Concurrent_calls_give_identical_results()
    {
        string[] texts = [.. Memories, .. Paraphrases];
        var expected = (await Generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();
        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var subset = texts.Skip(i % texts.Length).Concat(texts.Take(i % texts.Length)).ToArray();
            var result = await Generator.GenerateAsync(subset);
            for (var j = 0; j < subset.Length; j++)
            {
                Assert.Equal(expected[(j + i) % texts.Length], result[j].Vector.ToArray());
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Each_paraphrase_retrieves_its_memory_first()
    {
        var memories = await Generator.GenerateAsync(Memories);
        var queries = await Generator.GenerateAsync(Paraphrases);
        for (var q = 0; q < Paraphrases.Length; q++)
        {
            var scores = memories.Select(m => ModelFixture.Cosine(queries[q].Vector.Span, m.Vector.Span)).ToArray();
            var best = Array.IndexOf(scores, scores.Max());
            Assert.True(best == q, $"'{Paraphrases[q]}' retrieved '{Memories[best]}' ({scores[best]:F3}) before '{Memories[q]}' ({scores[q]:F3})");
        }
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_call()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(["text"], cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Cancelling_during_a_large_call_stops_it()
    {
        // 20,000 texts are tens of seconds of encoding on this machine. The token is cancelled from a dedicated thread
        // (a timer would need a thread-pool thread, which a loaded CI machine may not give it for seconds), and the
        // bound is on the time from the cancel to the throw: the encoder checks between chunks and layers.
        var texts = Enumerable.Range(0, 20_000).Select(i => $"Sentence number {i} talks about topic {i % 17} in some detail, with a few more words to make it longer.").ToArray();
        using var source = new CancellationTokenSource();
        var cancelledAt = 0L;
        var canceller = new Thread(() =>
        {
            Thread.Sleep(200);
            cancelledAt = System.Diagnostics.Stopwatch.GetTimestamp();
            source.Cancel();
        }) { IsBackground = true };
        canceller.Start();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => Generator.GenerateAsync(texts, cancellationToken: source.Token)));
        var thrownAt = System.Diagnostics.Stopwatch.GetTimestamp();
        canceller.Join();
        var afterCancel = System.Diagnostics.Stopwatch.GetElapsedTime(cancelledAt, thrownAt);
        Assert.True(afterCancel < TimeSpan.FromSeconds(3), $"the call ran on for {afterCancel} after the cancel");
    }

    [Fact]
    public async Task Embeddings_carry_model_id_creation_time_and_usage()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2024, 5, 8, 13, 56, 0, TimeSpan.Zero));
        using var generator = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, TimeProvider = clock });
        var embeddings = await generator.GenerateAsync(["hello world", "two"]);
        Assert.All(embeddings, e =>
        {
            Assert.Equal("all-MiniLM-L6-v2-q4", e.ModelId);
            Assert.Equal(clock.Now, e.CreatedAt);
        });
        Assert.Equal(4 + 3, embeddings.Usage?.InputTokenCount);

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(("memoryfabric-minilm", "all-MiniLM-L6-v2-q4", 384), (metadata.ProviderName, metadata.DefaultModelId, metadata.DefaultModelDimensions));
        Assert.Same(generator, generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Null(generator.GetService<EmbeddingGeneratorMetadata>("key"));
    }

    [Fact]
    public async Task Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, MaxSequenceLength = 513 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, BatchSize = 0 }));
        await Assert.ThrowsAsync<NotSupportedException>(() => Generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 128 }));
        Assert.Throws<ArgumentException>(() => Generator.Embed(["a", "b"], new float[384]));
        var missing = Path.Combine(Path.GetTempPath(), "memfab-no-model-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<ModelFileException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = missing }));
    }

    [Fact]
    public void Long_texts_are_truncated_to_the_maximum_sequence_length()
    {
        var text = string.Join(" ", Enumerable.Repeat("alpha beta gamma", 200));
        Assert.Equal(602, Generator.CountTokens(text));
        Assert.Equal(256, Generator.Tokenize(text).Count);
        using var shorter = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, MaxSequenceLength = 32 });
        Assert.Equal(32, shorter.Tokenize(text).Count);

        // Only the first 30 pieces count: a text differing after them gets the same vector.
        var prefix = string.Join(" ", Enumerable.Repeat("alpha beta gamma", 10));
        Assert.Equal(shorter.Embed(prefix + " and something else entirely"), shorter.Embed(prefix + " but a different ending"));
    }

    [Fact]
    public void Generators_on_the_same_directory_share_the_loaded_model()
    {
        using var other = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, MaxDegreeOfParallelism = 1 });
        Assert.Same(Generator.Encoder, other.Encoder);
        other.Dispose();
        Assert.Equal(384, Generator.Embed("still usable").Length);
    }

    [Fact]
    public void A_disposed_generator_refuses_work()
    {
        var generator = new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory });
        generator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => generator.Embed("x"));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
