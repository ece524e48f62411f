using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Onnx;
using MemoryFabric.Embeddings.Tests.Support;

namespace MemoryFabric.Embeddings.Tests.ArcticXs;

/// <summary>The fp32 BERT graph reader on the real arctic-xs graph, and the load-time int8 block quantization.</summary>
public sealed class BertFloatGraphReaderTests : IClassFixture<ArcticXsModelFixture>
{
    private readonly ArcticXsModelFixture _fixture;

    public BertFloatGraphReaderTests(ArcticXsModelFixture fixture) => _fixture = fixture;

    [Fact]
    public void Reads_the_arctic_xs_shapes()
    {
        var model = OnnxModel.Load(Path.Combine(_fixture.Directory, ArcticXsModel.OnnxFileName));
        var weights = BertFloatGraphReader.Read(model, _fixture.Directory, quantize: false);
        Assert.Equal((384, 12, 1536, 30522, 512, 6), (weights.Hidden, weights.Heads, weights.Intermediate, weights.VocabSize, weights.MaxPositions, weights.Layers.Count));
        Assert.All(weights.Layers, l => Assert.Equal(1f / MathF.Sqrt(32), l.AttentionScale, 5));
        Assert.Equal(1e-12f, weights.EmbeddingNorm.Epsilon);
        Assert.All(weights.Layers, l => Assert.Null(l.Query.Blocks));

        var quantized = BertFloatGraphReader.Read(model, _fixture.Directory, quantize: true);
        Assert.All(quantized.Layers, l => Assert.True(Int8Linear.CanPack(l.Intermediate)));
    }

    [Fact]
    public void Block_quantization_is_symmetric_per_block_whatever_the_sign_of_the_largest_weight()
    {
        // Two outputs of K = 64, two blocks each; the largest magnitude is negative in some blocks.
        var k = 64;
        var weights = new float[2 * k];
        var random = new Random(7);
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(random.NextDouble() - 0.5);
        }

        weights[3] = -4f;   // block 0 of output 0: negative extreme
        weights[k + 40] = 2f; // block 1 of output 1: positive extreme
        var blocks = BertFloatGraphReader.Quantize(weights, k, 2, 32);
        Assert.Equal(4f / 127f, blocks.Scales[0], 6);
        Assert.Equal(-127, blocks.Codes[3]);
        Assert.Equal(127, blocks.Codes[k + 40]);
        var dense = new DenseWeights(k, 2, null, new float[2], blocks);
        for (var i = 0; i < weights.Length; i++)
        {
            Assert.True(Math.Abs(dense.Weights[i] - weights[i]) <= blocks.Scales[i / k * 2 + (i % k) / 32] / 2 + 1e-6f);
        }
    }

    [Fact]
    public async Task A_graph_without_bert_parameters_is_refused_naming_what_is_missing()
    {
        var miniLm = OnnxModel.Load(Path.Combine(await MiniLmModel.EnsureAsync(), MiniLmModel.OnnxFileName));
        var error = Assert.Throws<InvalidDataException>(() => BertFloatGraphReader.Read(miniLm, _fixture.Directory, quantize: false));
        Assert.Contains("Unsupported graph", error.Message, StringComparison.Ordinal);
    }
}
