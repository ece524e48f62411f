using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Onnx;
using MemoryFabric.Embeddings.Tests.Support;

namespace MemoryFabric.Embeddings.Tests.Onnx;

/// <summary>The protobuf/ONNX reader on the real model and on malformed input.</summary>
public sealed class OnnxModelTests : IClassFixture<ModelFixture>, IDisposable
{
    private readonly ModelFixture _fixture;
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "memfab-onnx-tests-" + Guid.NewGuid().ToString("N"));

    public OnnxModelTests(ModelFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string OnnxPath => Path.Combine(_fixture.Directory, MiniLmModel.OnnxFileName);

    [Fact]
    public void The_model_graph_has_the_expected_nodes_and_attributes()
    {
        var model = OnnxModel.Load(OnnxPath);
        var graph = model.Graph;
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], graph.Inputs);
        Assert.Equal(["last_hidden_state"], graph.Outputs);
        Assert.Contains(model.Opsets, o => o.Domain == "com.microsoft");
        Assert.Equal(36, graph.Nodes.Count(n => n.OpType == "MatMulNBits"));
        Assert.Equal(6, graph.Nodes.Count(n => n.OpType == "MultiHeadAttention"));
        Assert.Equal(13, graph.Nodes.Count(n => n.OpType == "LayerNormalization"));
        Assert.Equal(6, graph.Nodes.Count(n => n.OpType == "Gelu"));

        var fc1 = graph.Nodes.Single(n => n.Name == "/model/layers.0/mlp/fc1/MatMul_Q4");
        Assert.Equal("com.microsoft", fc1.Domain);
        Assert.Equal((384L, 1536L, 4L, 32L, 4L), (fc1.RequireInt("K"), fc1.RequireInt("N"), fc1.RequireInt("bits"), fc1.RequireInt("block_size"), fc1.GetInt("accuracy_level", 0)));
        var attention = graph.Nodes.First(n => n.OpType == "MultiHeadAttention");
        Assert.Equal(12, attention.RequireInt("num_heads"));
        Assert.Equal(1f / MathF.Sqrt(32), attention.GetFloat("scale", 0), 6);
        Assert.Equal(1e-12f, graph.Nodes.First(n => n.OpType == "LayerNormalization").GetFloat("epsilon", 0));
        Assert.Equal("none", graph.Nodes.First(n => n.OpType == "Gelu").Attributes["approximate"].String);
    }

    [Fact]
    public void Initializers_point_into_the_external_data_file()
    {
        var graph = OnnxModel.Load(OnnxPath).Graph;
        var words = graph.Initializer(".model.embeddings.word_embeddings.weight");
        Assert.Equal(OnnxDataType.Float, words.DataType);
        Assert.Equal([30522L, 384L], words.Dims);
        Assert.Equal((MiniLmModel.DataFileName, 0L, 30522L * 384 * 4), (words.ExternalLocation, words.ExternalOffset, words.ExternalLength));

        var packed = graph.Initializer("model.layers.0.mlp.fc1.MatMul.weight_Q4");
        Assert.Equal(OnnxDataType.UInt8, packed.DataType);
        Assert.Equal([1536L, 12L, 16L], packed.Dims);
        Assert.Equal(1536 * 12 * 16, packed.ReadBytes(_fixture.Directory).Length);

        var bias = graph.Initializer("model.layers.0.attn.q_proj.Add.bias").ReadFloats(_fixture.Directory);
        Assert.Equal(384, bias.Length);
        Assert.All(bias, b => Assert.True(float.IsFinite(b)));
        Assert.Throws<InvalidDataException>(() => graph.Initializer("no.such.tensor"));
    }

    [Fact]
    public void The_graph_reader_extracts_a_six_layer_bert()
    {
        var weights = MiniLmGraphReader.Read(OnnxModel.Load(OnnxPath), _fixture.Directory);
        Assert.Equal((384, 12, 1536, 30522, 512, 6), (weights.Hidden, weights.Heads, weights.Intermediate, weights.VocabSize, weights.MaxPositions, weights.Layers.Count));
        var layer = weights.Layers[0];
        Assert.False(layer.TanhGelu);
        Assert.Equal(1f / MathF.Sqrt(32), layer.AttentionScale, 6);
        Assert.Equal(1e-12f, layer.OutputNorm.Epsilon);
        var fc1 = layer.Intermediate;
        Assert.Equal((384, 1536), (fc1.K, fc1.N));
        Assert.NotNull(fc1.Blocks);
        Assert.Equal(32, fc1.Blocks.BlockSize);
        // No zero-point input: codes are q − 8, in [−8, 7]; the fp32 weights are code × block scale.
        Assert.All(fc1.Blocks.Codes, c => Assert.InRange(c, -8, 7));
        for (var i = 0; i < 1000; i += 37)
        {
            Assert.Equal(fc1.Blocks.Codes[i] * fc1.Blocks.Scales[i / 32], fc1.Weights[i]);
        }
    }

    [Fact]
    public void Truncated_bytes_give_a_clear_error()
    {
        var bytes = File.ReadAllBytes(OnnxPath);
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(bytes.AsSpan(0, 5000)));
        Assert.Contains("Malformed protobuf", error.Message, StringComparison.Ordinal);
        Assert.Contains("runs past the end", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "varint longer than 10 bytes")]
    [InlineData(new byte[] { 0x08, 0x80 }, "truncated varint")]
    [InlineData(new byte[] { 0x0B, 0x01 }, "unsupported wire type 3")]
    [InlineData(new byte[] { 0x00 }, "invalid field number 0")]
    [InlineData(new byte[] { 0x08, 0x07 }, "no graph")]
    [InlineData(new byte[] { }, "no graph")]
    public void Malformed_bytes_give_a_clear_error(byte[] bytes, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(bytes));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_model_file_names_the_file()
    {
        var path = Path.Combine(_temp, MiniLmModel.OnnxFileName);
        File.WriteAllBytes(path, File.ReadAllBytes(OnnxPath).AsSpan(0, 20000).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => MiniLmEncoder.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_external_data_names_the_file()
    {
        var path = Path.Combine(_temp, MiniLmModel.OnnxFileName);
        File.Copy(OnnxPath, path);
        var error = Assert.Throws<FileNotFoundException>(() => MiniLmEncoder.Load(path));
        Assert.Contains(MiniLmModel.DataFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generator_over_a_corrupted_model_throws_a_model_file_exception()
    {
        foreach (var name in new[] { MiniLmModel.DataFileName, MiniLmModel.VocabFileName })
        {
            File.Copy(Path.Combine(_fixture.Directory, name), Path.Combine(_temp, name));
        }

        var path = Path.Combine(_temp, MiniLmModel.OnnxFileName);
        var bytes = File.ReadAllBytes(OnnxPath);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFileException>(() => new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = _temp }));
        Assert.Equal(path, error.FilePath);
    }
}
