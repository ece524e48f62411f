using System.Numerics.Tensors;
using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Embeddings;

public sealed class HashingEmbeddingGeneratorTests
{
    private static float Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    [Theory]
    [InlineData("Melanie adopted a dog.")]
    [InlineData("A much longer text about pottery, painting, camping with the kids and a trip to Paris in 2023.")]
    [InlineData("x")]
    public void Vectors_have_unit_length_and_the_configured_size(string text)
    {
        var generator = new HashingEmbeddingGenerator(128);

        var v = generator.Embed(text);

        Assert.Equal(128, v.Length);
        Assert.Equal(1.0, Math.Sqrt(TensorPrimitives.SumOfSquares(v)), 4);
    }

    [Fact]
    public void Text_without_terms_embeds_to_zeros()
    {
        Assert.All(new HashingEmbeddingGenerator().Embed("the and of ?!"), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Deterministic_across_instances()
    {
        Assert.Equal(new HashingEmbeddingGenerator().Embed("Caroline went to the support group."), new HashingEmbeddingGenerator().Embed("Caroline went to the support group."));
    }

    [Fact]
    public void Similar_texts_are_closer_than_unrelated_ones()
    {
        var g = new HashingEmbeddingGenerator();
        var query = g.Embed("Melanie adopted a puppy dog");

        var similar = Cosine(query, g.Embed("The dog that Melanie adopted is a puppy"));
        var unrelated = Cosine(query, g.Embed("The stock market fell sharply on Tuesday"));

        Assert.True(similar > unrelated + 0.3, $"similar {similar}, unrelated {unrelated}");
    }

    [Fact]
    public void Morphological_variants_overlap()
    {
        var g = new HashingEmbeddingGenerator();

        Assert.True(Cosine(g.Embed("paintings"), g.Embed("painting")) > Cosine(g.Embed("paintings"), g.Embed("violin")));
    }

    [Fact]
    public async Task GenerateAsync_matches_Embed_and_tags_the_model()
    {
        var g = new HashingEmbeddingGenerator();

        var embeddings = await g.GenerateAsync(["dog", "cat"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(g.Embed("cat"), embeddings[1].Vector.ToArray());
        Assert.Equal(HashingEmbeddingGenerator.ModelId, embeddings[0].ModelId);
    }

    [Fact]
    public async Task GenerateAsync_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HashingEmbeddingGenerator().GenerateAsync(["dog"], cancellationToken: cts.Token));
    }

    [Fact]
    public void GetService_returns_metadata_and_itself()
    {
        using var g = new HashingEmbeddingGenerator(256);

        var metadata = Assert.IsType<EmbeddingGeneratorMetadata>(g.GetService(typeof(EmbeddingGeneratorMetadata)));
        Assert.Equal(HashingEmbeddingGenerator.ModelId, metadata.DefaultModelId);
        Assert.Equal(256, metadata.DefaultModelDimensions);
        Assert.Same(g, g.GetService(typeof(HashingEmbeddingGenerator)));
        Assert.Null(g.GetService(typeof(EmbeddingGeneratorMetadata), "some-key"));
        Assert.Null(g.GetService(typeof(string)));
    }

    [Fact]
    public void Too_few_dimensions_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbeddingGenerator(4));
    }
}
