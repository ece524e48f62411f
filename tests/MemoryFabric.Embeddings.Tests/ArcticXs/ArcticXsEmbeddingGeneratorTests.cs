using System.Text.Json;
using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Tests.Support;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests.ArcticXs;

/// <summary>
/// snowflake-arctic-embed-xs through our encoder against ONNX Runtime's fp32 vectors of the same model
/// (arctic-xs-reference.json, written by make_reference.js with onnxruntime-node 1.30.0), both kernels; the query
/// prefix; a paraphrase retrieval check; metadata.
/// </summary>
public sealed class ArcticXsEmbeddingGeneratorTests : IClassFixture<ArcticXsModelFixture>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static readonly Lazy<Reference> References = new(() =>
        JsonSerializer.Deserialize<Reference>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ArcticXs", "arctic-xs-reference.json")), Json)!);

    private readonly ArcticXsModelFixture _fixture;

    public ArcticXsEmbeddingGeneratorTests(ArcticXsModelFixture fixture) => _fixture = fixture;

    [Fact]
    public void The_tokenizer_gives_the_reference_token_ids()
    {
        var reference = References.Value;
        for (var i = 0; i < reference.Texts.Length; i++)
        {
            Assert.Equal(reference.Ids[i], _fixture.Generator.Tokenize(reference.Texts[i]));
        }
    }

    [Fact]
    public void The_default_kernel_matches_onnx_runtime_fp32_within_cosine_0_999()
    {
        var (min, _) = CompareToReference(_fixture.Generator);
        Assert.True(min >= 0.999f, $"min cosine {min}");
    }

    [Fact]
    public void The_fp32_kernel_matches_onnx_runtime_fp32_to_rounding()
    {
        using var fp32 = new ArcticXsEmbeddingGenerator(new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory, Kernel = EncoderKernel.Float32 });
        Assert.False(fp32.UsesInt8Kernel);
        var (min, _) = CompareToReference(fp32);
        Assert.True(min >= 0.99999f, $"min cosine {min}");
    }

    [Fact]
    public async Task Queries_get_the_instruction_prefix_and_documents_do_not()
    {
        var generator = _fixture.Generator;
        const string text = "Which pet joined the family recently?";
        var document = (await generator.GenerateAsync([text]))[0].Vector.ToArray();
        var query = (await generator.GenerateAsync([text], EmbeddingInputType.AsQuery()))[0].Vector.ToArray();
        Assert.Equal(ArcticXsModel.QueryPrefix, generator.QueryPrefix);
        Assert.Equal(generator.Embed(text), document);
        Assert.Equal(generator.Embed(ArcticXsModel.QueryPrefix + text), query);
        Assert.True(ModelFixture.Cosine(query, document) < 0.99f);

        // The priority options the engine sends with a query keep the mark.
        var interactive = EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions(TimeSpan.FromSeconds(1)));
        Assert.Equal(query, (await generator.GenerateAsync([text], interactive))[0].Vector.ToArray());
    }

    [Fact]
    public async Task The_cache_keeps_a_query_apart_from_the_same_text_stored_as_a_document()
    {
        // Its own generator (the loaded model is shared), which the cache disposes.
        using var cache = new CachingEmbeddingGenerator(new ArcticXsEmbeddingGenerator(new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = _fixture.Directory }));
        const string text = "When is the sibling's wedding?";
        var document = (await cache.GenerateAsync([text], EmbeddingPriority.CreateBackgroundOptions()))[0].Vector.ToArray();
        var query = (await cache.GenerateAsync([text], EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions())))[0].Vector.ToArray();
        var again = (await cache.GenerateAsync([text], EmbeddingInputType.AsQuery()))[0].Vector.ToArray();

        Assert.Equal(2, cache.Misses);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(query, again);
        Assert.Equal(_fixture.Generator.Embed(ArcticXsModel.QueryPrefix + text), query);
        Assert.Equal(_fixture.Generator.Embed(text), document);
    }

    [Fact]
    public async Task Paraphrased_queries_find_their_memories()
    {
        string[] memories =
        [
            "I adopted a golden retriever puppy last spring.",
            "My sister is getting married in Lisbon this October.",
            "I'm allergic to peanuts, so I always check food labels.",
            "I started learning to play the cello two months ago.",
            "We booked a hiking trip through the Swiss Alps for next summer.",
        ];
        string[] questions =
        [
            "Which pet joined the family recently?",
            "When is the sibling's wedding?",
            "Which nut gives them a bad reaction?",
            "What instrument are they practicing?",
            "Where are they trekking in the mountains?",
        ];
        var generator = _fixture.Generator;
        var documents = await generator.GenerateAsync(memories);
        var queries = await generator.GenerateAsync(questions, EmbeddingInputType.AsQuery());
        for (var q = 0; q < questions.Length; q++)
        {
            var best = Enumerable.Range(0, memories.Length)
                .MaxBy(d => ModelFixture.Cosine(queries[q].Vector.Span, documents[d].Vector.Span));
            Assert.Equal(q, best);
        }
    }

    [Fact]
    public async Task Metadata_and_embeddings_name_the_model()
    {
        var generator = _fixture.Generator;
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(ArcticXsModel.ModelId, metadata.DefaultModelId);
        Assert.Equal(ArcticXsEmbeddingGenerator.ProviderName, metadata.ProviderName);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        var embedding = (await generator.GenerateAsync(["hello"]))[0];
        Assert.Equal(ArcticXsModel.ModelId, embedding.ModelId);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(embedding.Vector.Span), 3);
        Assert.Equal(512, generator.MaxSequenceLength);
    }

    private static (float Min, float Mean) CompareToReference(BertEmbeddingGenerator generator)
    {
        var reference = References.Value;
        var cosines = new List<float>();
        for (var i = 0; i < reference.Texts.Length; i++)
        {
            cosines.Add(ModelFixture.Cosine(generator.Embed(reference.Texts[i]), reference.Vectors[i]));
        }

        // Batched: packing several texts in one call changes nothing.
        var batched = new float[reference.Texts.Length * 384];
        generator.Embed(reference.Texts, batched);
        for (var i = 0; i < reference.Texts.Length; i++)
        {
            Assert.Equal(generator.Embed(reference.Texts[i]), batched.AsSpan(i * 384, 384).ToArray());
        }

        return (cosines.Min(), cosines.Average());
    }

    private sealed record Reference(string[] Texts, int[][] Ids, float[][] Vectors);
}
