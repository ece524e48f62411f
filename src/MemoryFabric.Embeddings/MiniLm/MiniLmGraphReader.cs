using System.Runtime.CompilerServices;
using MemoryFabric.Embeddings.Onnx;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// Extracts a BERT encoder's weights from an ONNX graph by walking it: the embedding gathers and their
/// LayerNorm, then per layer the pattern the ONNX Runtime GenAI model builder emits,
/// <c>MatMulNBits → Add(bias)</c> for Q, K and V into <c>MultiHeadAttention</c>, the output projection,
/// <c>Add(residual) → LayerNormalization</c>, <c>MatMulNBits → Add → Gelu → MatMulNBits → Add</c>,
/// <c>Add(residual) → LayerNormalization</c>. Anything else throws <see cref="InvalidDataException"/> naming
/// the node where the graph departs from the pattern, so an unsupported model fails at load, not with wrong
/// vectors. <c>MatMulNBits</c> weights (4 or 8 bits, any block size, optional zero points and bias) are kept as
/// their integer codes and block scales (or dequantized to fp32 when the codes do not fit a signed byte).
/// </summary>
internal sealed class MiniLmGraphReader
{
    private readonly OnnxGraph _graph;
    private readonly string _directory;
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);

    private MiniLmGraphReader(OnnxGraph graph, string directory)
    {
        _graph = graph;
        _directory = directory;
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (input.Length == 0)
                {
                    continue;
                }

                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }

                list.Add(node);
            }
        }
    }

    /// <summary>Reads the weights of the BERT encoder in <paramref name="model"/>.</summary>
    /// <param name="model">The parsed model.</param>
    /// <param name="directory">The directory its external data files are in.</param>
    /// <exception cref="InvalidDataException">The graph is not a supported BERT encoder or its data is inconsistent.</exception>
    public static MiniLmWeights Read(OnnxModel model, string directory) => new MiniLmGraphReader(model.Graph, directory).Read();

    private MiniLmWeights Read()
    {
        // Embeddings: three Gathers from [rows, hidden] tables, summed, then LayerNorm.
        var word = EmbeddingGather("input_ids");
        var tokenType = EmbeddingGather("token_type_ids");
        var wordTable = _graph.Initializer(word.Input(0));
        if (wordTable.Dims.Count != 2)
        {
            throw Unexpected(word, "a 2-D word embedding table");
        }

        var vocab = checked((int)wordTable.Dims[0]);
        var hidden = checked((int)wordTable.Dims[1]);
        var positionGather = _graph.Nodes.FirstOrDefault(n =>
            n.OpType == "Gather" && n != word && n != tokenType && _graph.Initializers.TryGetValue(n.Input(0), out var t)
            && t.Dims.Count == 2 && t.Dims[1] == hidden)
            ?? throw new InvalidDataException("The graph has no position embedding Gather.");
        var positionTable = _graph.Initializer(positionGather.Input(0));
        var tokenTypeTable = _graph.Initializer(tokenType.Input(0));
        tokenTypeTable.Require(OnnxDataType.Float);
        positionTable.Require(OnnxDataType.Float);
        wordTable.Require(OnnxDataType.Float);
        if (tokenTypeTable.Dims.Count != 2 || tokenTypeTable.Dims[1] != hidden)
        {
            throw Unexpected(tokenType, $"a [types, {hidden}] token type table");
        }

        var maxPositions = checked((int)positionTable.Dims[0]);
        var embeddingNorm = FirstOfType("LayerNormalization");
        var positions = positionTable.ReadFloats(_directory);
        var typeZero = tokenTypeTable.ReadFloats(_directory).AsSpan(0, hidden);
        for (var p = 0; p < maxPositions; p++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(positions.AsSpan(p * hidden, hidden), typeZero, positions.AsSpan(p * hidden, hidden));
        }

        var layers = new List<LayerWeights>();
        var current = embeddingNorm.Outputs[0];
        var heads = 0;
        var intermediate = 0;
        while (true)
        {
            var consumers = Consumers(current);
            var projections = consumers.Where(n => n.OpType == "MatMulNBits").ToList();
            if (projections.Count == 0)
            {
                break;
            }

            var layer = ReadLayer(current, projections, hidden, out var layerHeads, out var layerIntermediate, out current);
            heads = layerHeads;
            intermediate = layerIntermediate;
            layers.Add(layer);
        }

        if (layers.Count == 0)
        {
            throw new InvalidDataException("The graph has no transformer layer after the embedding LayerNorm.");
        }

        var outputs = _graph.Outputs;
        var last = Consumers(current);
        var isOutput = outputs.Contains(current)
            || (last.Count == 1 && last[0].OpType == "Identity" && outputs.Contains(last[0].Outputs[0]));
        if (!isOutput)
        {
            throw new InvalidDataException($"The value '{current}' after the last layer is not the graph's output.");
        }

        return new MiniLmWeights
        {
            Hidden = hidden,
            Heads = heads,
            Intermediate = intermediate,
            VocabSize = vocab,
            MaxPositions = maxPositions,
            WordEmbeddings = wordTable.ReadFloats(_directory),
            PositionEmbeddings = positions,
            EmbeddingNorm = LayerNorm(embeddingNorm, hidden),
            Layers = layers,
        };
    }

    private LayerWeights ReadLayer(string input, List<OnnxNode> projections, int hidden, out int heads, out int intermediate, out string output)
    {
        // Q, K and V: MatMulNBits → Add(bias) → MultiHeadAttention inputs 0, 1, 2.
        OnnxNode? attention = null;
        var qkv = new DenseWeights?[3];
        foreach (var projection in projections)
        {
            var (dense, biasAdd) = Projection(projection);
            var mha = Single(biasAdd.Outputs[0], "MultiHeadAttention");
            if (attention is not null && attention != mha)
            {
                throw Unexpected(projection, "Q, K and V projections feeding one MultiHeadAttention");
            }

            attention = mha;
            var slot = IndexOf(mha.Inputs, biasAdd.Outputs[0]);
            if (slot is < 0 or > 2 || qkv[slot] is not null)
            {
                throw Unexpected(mha, "separate query, key and value inputs");
            }

            qkv[slot] = dense;
        }

        if (attention is null || qkv.Any(d => d is null))
        {
            throw new InvalidDataException($"The layer reading '{input}' lacks a query, key or value projection.");
        }

        heads = checked((int)attention.RequireInt("num_heads"));
        if (heads <= 0 || hidden % heads != 0 || attention.GetInt("unidirectional", 0) != 0)
        {
            throw Unexpected(attention, "bidirectional attention with a head count dividing the hidden size");
        }

        // Inputs 3 (packed bias), 4 (key padding mask), 6 and 7 (past key/value) must be absent; input 5, the
        // additive attention bias, is the padding mask, which the encoder applies itself.
        foreach (var i in new[] { 3, 4, 6, 7 })
        {
            if (attention.Input(i).Length != 0)
            {
                throw Unexpected(attention, $"no input {i}");
            }
        }

        if (qkv.Any(d => d!.K != hidden || d.N != hidden))
        {
            throw Unexpected(attention, $"{hidden}×{hidden} Q, K and V projections");
        }

        var scale = attention.GetFloat("scale", 0f);
        if (scale == 0f)
        {
            scale = 1f / MathF.Sqrt(hidden / heads);
        }

        // Output projection, residual, LayerNorm.
        var (outputProjection, outputBias) = Projection(Single(attention.Outputs[0], "MatMulNBits"));
        var attentionNorm = ResidualNorm(outputBias, input);

        // Feed-forward: MatMulNBits → Add → Gelu → MatMulNBits → Add, residual, LayerNorm.
        var normOut = attentionNorm.Outputs[0];
        var (up, upBias) = Projection(Single(normOut, "MatMulNBits"));
        var gelu = Single(upBias.Outputs[0], "Gelu");
        var approximate = gelu.Attributes.TryGetValue("approximate", out var a) ? a.String : "none";
        if (approximate is not ("none" or "tanh"))
        {
            throw Unexpected(gelu, "approximate = none or tanh");
        }

        var (down, downBias) = Projection(Single(gelu.Outputs[0], "MatMulNBits"));
        var outputNorm = ResidualNorm(downBias, normOut);
        if (up.K != hidden || down.N != hidden || down.K != up.N || outputProjection.K != hidden || outputProjection.N != hidden)
        {
            throw Unexpected(gelu, "feed-forward shapes hidden → intermediate → hidden");
        }

        intermediate = up.N;
        output = outputNorm.Outputs[0];
        return new LayerWeights
        {
            Query = qkv[0]!,
            Key = qkv[1]!,
            Value = qkv[2]!,
            Output = outputProjection,
            AttentionNorm = LayerNorm(attentionNorm, hidden),
            Intermediate = up,
            FeedForwardOutput = down,
            OutputNorm = LayerNorm(outputNorm, hidden),
            AttentionScale = scale,
            TanhGelu = approximate == "tanh",
        };
    }

    // Add(x, residual) → LayerNormalization, where x is the output of `producer`.
    private OnnxNode ResidualNorm(OnnxNode producer, string residual)
    {
        var add = Single(producer.Outputs[0], "Add");
        if (!add.Inputs.Contains(residual))
        {
            throw Unexpected(add, $"a residual connection from '{residual}'");
        }

        return Single(add.Outputs[0], "LayerNormalization");
    }

    // MatMulNBits followed by an Add of a bias initializer (the bias may also be the node's own input 5).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (DenseWeights Dense, OnnxNode BiasAdd) Projection(OnnxNode node)
    {
        var k = checked((int)node.RequireInt("K"));
        var n = checked((int)node.RequireInt("N"));
        var bits = checked((int)node.RequireInt("bits"));
        var blockSize = checked((int)node.RequireInt("block_size"));
        if (bits is not (4 or 8) || blockSize < 16 || (blockSize & (blockSize - 1)) != 0 || k <= 0 || n <= 0)
        {
            throw Unexpected(node, "bits 4 or 8 and a power-of-two block size ≥ 16");
        }

        if (node.Input(4).Length != 0)
        {
            throw Unexpected(node, "no g_idx input");
        }

        var blocks = (k + blockSize - 1) / blockSize;
        var blobSize = blockSize * bits / 8;
        var packed = _graph.Initializer(node.Input(1));
        packed.Require(OnnxDataType.UInt8);
        packed.RequireShape(n, blocks, blobSize);
        var scalesTensor = _graph.Initializer(node.Input(2));
        scalesTensor.Require(OnnxDataType.Float);
        if (scalesTensor.ElementCount != (long)n * blocks)
        {
            throw Unexpected(node, $"{n * blocks} scales");
        }

        var data = packed.ReadBytes(_directory);
        var scales = scalesTensor.ReadFloats(_directory);
        var zeroPoints = ZeroPoints(node, n, blocks, bits);
        var mask = (1 << bits) - 1;

        // Keep the exact integer codes (q − zero point) when they fit a signed byte, else fp32 weights.
        var codes = k % blockSize == 0 ? new sbyte[(long)n * k] : null;
        float[]? weights = null;
        for (var col = 0; col < n && codes is not null; col++)
        {
            for (var b = 0; b < blocks && codes is not null; b++)
            {
                var zero = zeroPoints[col * blocks + b];
                var blob = data.AsSpan((col * blocks + b) * blobSize, blobSize);
                for (var j = 0; j < blockSize; j++)
                {
                    var code = (bits == 8 ? blob[j] : (blob[j >> 1] >> ((j & 1) * 4)) & mask) - zero;
                    if (code is < sbyte.MinValue or > sbyte.MaxValue || code != MathF.Round(code))
                    {
                        codes = null;
                        break;
                    }

                    codes[(long)col * k + b * blockSize + j] = (sbyte)code;
                }
            }
        }

        if (codes is null)
        {
            weights = new float[(long)n * k];
            for (var col = 0; col < n; col++)
            {
                for (var b = 0; b < blocks; b++)
                {
                    var scale = scales[col * blocks + b];
                    var zero = zeroPoints[col * blocks + b];
                    var blob = data.AsSpan((col * blocks + b) * blobSize, blobSize);
                    var end = Math.Min(blockSize, k - b * blockSize);
                    for (var j = 0; j < end; j++)
                    {
                        var q = bits == 8 ? blob[j] : (blob[j >> 1] >> ((j & 1) * 4)) & mask;
                        weights[(long)col * k + b * blockSize + j] = (q - zero) * scale;
                    }
                }
            }
        }

        var bias = new float[n];
        if (node.Input(5).Length != 0)
        {
            Add(bias, node, 5);
        }

        var biasAdd = Single(node.Outputs[0], "Add");
        var other = biasAdd.Inputs.FirstOrDefault(i => i != node.Outputs[0]) ?? string.Empty;
        if (!_graph.Initializers.ContainsKey(other))
        {
            throw Unexpected(biasAdd, "a bias initializer");
        }

        Add(bias, biasAdd, IndexOf(biasAdd.Inputs, other));
        var quantized = codes is null ? null : new BlockQuantizedWeights(blockSize, codes, scales);
        return (new DenseWeights(k, n, weights, bias, quantized), biasAdd);
    }

    private float[] ZeroPoints(OnnxNode node, int n, int blocks, int bits)
    {
        var zeros = new float[n * blocks];
        var name = node.Input(3);
        if (name.Length == 0)
        {
            Array.Fill(zeros, 1 << (bits - 1));
            return zeros;
        }

        var tensor = _graph.Initializer(name);
        if (tensor.DataType == OnnxDataType.Float)
        {
            var values = tensor.ReadFloats(_directory);
            if (values.Length != zeros.Length)
            {
                throw Unexpected(node, $"{zeros.Length} zero points");
            }

            return values;
        }

        tensor.Require(OnnxDataType.UInt8);
        var perColumn = (blocks * bits + 7) / 8;
        var bytes = tensor.ReadBytes(_directory);
        if (bytes.Length != n * perColumn)
        {
            throw Unexpected(node, $"{n * perColumn} packed zero point bytes");
        }

        for (var col = 0; col < n; col++)
        {
            for (var b = 0; b < blocks; b++)
            {
                zeros[col * blocks + b] = bits == 8
                    ? bytes[col * perColumn + b]
                    : (bytes[col * perColumn + (b >> 1)] >> ((b & 1) * 4)) & 0xF;
            }
        }

        return zeros;
    }

    private void Add(float[] bias, OnnxNode node, int input)
    {
        var tensor = _graph.Initializer(node.Input(input));
        var values = tensor.ReadFloats(_directory);
        if (values.Length != bias.Length)
        {
            throw Unexpected(node, $"a bias of {bias.Length} values");
        }

        System.Numerics.Tensors.TensorPrimitives.Add(bias, values, bias);
    }

    private LayerNormWeights LayerNorm(OnnxNode node, int hidden)
    {
        var axis = node.GetInt("axis", -1);
        if (axis is not (-1 or 2) || node.Input(2).Length == 0)
        {
            throw Unexpected(node, "normalization over the last axis with scale and bias");
        }

        var gamma = _graph.Initializer(node.Input(1)).ReadFloats(_directory);
        var beta = _graph.Initializer(node.Input(2)).ReadFloats(_directory);
        if (gamma.Length != hidden || beta.Length != hidden)
        {
            throw Unexpected(node, $"scale and bias of {hidden} values");
        }

        return new LayerNormWeights(gamma, beta, node.GetFloat("epsilon", 1e-5f));
    }

    private OnnxNode EmbeddingGather(string graphInput)
    {
        var gather = Consumers(graphInput).FirstOrDefault(n => n.OpType == "Gather" && n.Input(1) == graphInput && _graph.Initializers.ContainsKey(n.Input(0)))
            ?? throw new InvalidDataException($"The graph has no embedding Gather reading '{graphInput}'.");
        return gather;
    }

    private OnnxNode FirstOfType(string opType) =>
        _graph.Nodes.FirstOrDefault(n => n.OpType == opType) ?? throw new InvalidDataException($"The graph has no {opType} node.");

    private List<OnnxNode> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : [];

    private OnnxNode Single(string value, string opType)
    {
        var consumers = Consumers(value).Where(n => n.OpType == opType).ToList();
        return consumers.Count == 1
            ? consumers[0]
            : throw new InvalidDataException($"Unsupported graph: '{value}' feeds {consumers.Count} {opType} nodes, expected one.");
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static InvalidDataException Unexpected(OnnxNode node, string expected) =>
        new($"Unsupported graph at node '{node.Name}' ({node.OpType}): expected {expected}.");
}
