using MemoryFabric.Embeddings.Onnx;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// Extracts a BERT encoder's weights from a plain fp32 ONNX export of a Hugging Face <c>BertModel</c> (PyTorch's
/// exporter: LayerNorm and GELU decomposed into primitive ops, one <c>MatMul</c> + <c>Add</c> per projection), as
/// snowflake-arctic-embed-xs ships. Parameters are found by their Hugging Face names (<c>embeddings.*</c>,
/// <c>encoder.layer.{i}.*.bias</c>, <c>*.LayerNorm.weight/bias</c>) and each projection's weight through the
/// <c>MatMul</c> node the exporter names after the module (<c>/encoder/layer.{i}/attention/self/query/MatMul</c>, whose
/// second input is the [K, N] weight initializer). The graph must also contain the ops that prove the assumed
/// semantics (<c>Erf</c> GELU, <c>Softmax</c>); anything missing throws <see cref="InvalidDataException"/> naming it.
/// <para>For the int8 kernel the weights are quantized at load, symmetrically per block of
/// <see cref="Int8Linear.KernelBlock"/> inputs (int8 codes, one fp32 scale per block and output); the fp32 kernel uses
/// the exact weights.</para>
/// </summary>
internal sealed class BertFloatGraphReader
{
    private const float DefaultEpsilon = 1e-12f;   // BertConfig.layer_norm_eps

    private readonly OnnxGraph _graph;
    private readonly string _directory;
    private readonly Dictionary<string, OnnxNode> _nodesByName;

    private BertFloatGraphReader(OnnxGraph graph, string directory)
    {
        _graph = graph;
        _directory = directory;
        _nodesByName = graph.Nodes.Where(n => n.Name.Length > 0).GroupBy(n => n.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    /// <summary>Reads the weights of the BERT encoder in <paramref name="model"/>.</summary>
    /// <param name="model">The parsed model.</param>
    /// <param name="directory">The directory of any external data files.</param>
    /// <param name="quantize">Whether to keep block-quantized int8 codes (for the int8 kernel) instead of fp32 weights.</param>
    /// <exception cref="InvalidDataException">The graph is not a supported BERT export.</exception>
    public static MiniLmWeights Read(OnnxModel model, string directory, bool quantize) =>
        new BertFloatGraphReader(model.Graph, directory).Read(quantize);

    private MiniLmWeights Read(bool quantize)
    {
        foreach (var op in new[] { "Erf", "Softmax" })
        {
            if (!_graph.Nodes.Any(n => n.OpType == op))
            {
                throw new InvalidDataException($"Unsupported graph: no {op} node (expected an exact-GELU BERT encoder).");
            }
        }

        var word = Table("embeddings.word_embeddings.weight");
        var hidden = checked((int)word.Dims[1]);
        var vocab = checked((int)word.Dims[0]);
        var positionTable = Table("embeddings.position_embeddings.weight", hidden);
        var typeTable = Table("embeddings.token_type_embeddings.weight", hidden);
        var maxPositions = checked((int)positionTable.Dims[0]);
        var positions = positionTable.ReadFloats(_directory);
        var typeZero = typeTable.ReadFloats(_directory).AsSpan(0, hidden);
        for (var p = 0; p < maxPositions; p++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(positions.AsSpan(p * hidden, hidden), typeZero, positions.AsSpan(p * hidden, hidden));
        }

        var layers = new List<LayerWeights>();
        var heads = 0;
        var intermediate = 0;
        for (var i = 0; _graph.Initializers.ContainsKey($"encoder.layer.{i}.attention.self.query.bias"); i++)
        {
            var prefix = $"encoder.layer.{i}.";
            var node = $"/encoder/layer.{i}/";
            var query = Dense(node + "attention/self/query/MatMul", prefix + "attention.self.query.bias", quantize);
            var key = Dense(node + "attention/self/key/MatMul", prefix + "attention.self.key.bias", quantize);
            var value = Dense(node + "attention/self/value/MatMul", prefix + "attention.self.value.bias", quantize);
            var output = Dense(node + "attention/output/dense/MatMul", prefix + "attention.output.dense.bias", quantize);
            var up = Dense(node + "intermediate/dense/MatMul", prefix + "intermediate.dense.bias", quantize);
            var down = Dense(node + "output/dense/MatMul", prefix + "output.dense.bias", quantize);
            var scale = AttentionScale(node + "attention/self/Div");
            var headSize = (int)MathF.Round(1f / (scale * scale));
            heads = headSize > 0 && hidden % headSize == 0 ? hidden / headSize
                : throw new InvalidDataException($"Unsupported graph: layer {i}'s attention scale {scale} gives no head size dividing {hidden}.");
            if (new[] { query, key, value, output }.Any(d => d.K != hidden || d.N != hidden) || up.K != hidden || down.N != hidden || down.K != up.N)
            {
                throw new InvalidDataException($"Unsupported graph: layer {i}'s projections do not have BERT's shapes for hidden size {hidden}.");
            }

            intermediate = up.N;
            layers.Add(new LayerWeights
            {
                Query = query,
                Key = key,
                Value = value,
                Output = output,
                AttentionNorm = LayerNorm(prefix + "attention.output.LayerNorm", node + "attention/output/LayerNorm/Constant_1", hidden),
                Intermediate = up,
                FeedForwardOutput = down,
                OutputNorm = LayerNorm(prefix + "output.LayerNorm", node + "output/LayerNorm/Constant_1", hidden),
                AttentionScale = scale,
                TanhGelu = false,
            });
        }

        if (layers.Count == 0)
        {
            throw new InvalidDataException("Unsupported graph: no initializer 'encoder.layer.0.attention.self.query.bias' (not a Hugging Face BERT export).");
        }

        return new MiniLmWeights
        {
            Hidden = hidden,
            Heads = heads,
            Intermediate = intermediate,
            VocabSize = vocab,
            MaxPositions = maxPositions,
            WordEmbeddings = word.ReadFloats(_directory),
            PositionEmbeddings = positions,
            EmbeddingNorm = LayerNorm("embeddings.LayerNorm", "/embeddings/LayerNorm/Constant_1", hidden),
            Layers = layers,
        };
    }

    private OnnxTensor Table(string name, int? width = null)
    {
        var table = Initializer(name);
        table.Require(OnnxDataType.Float);
        if (table.Dims.Count != 2 || (width is { } w && table.Dims[1] != w))
        {
            throw new InvalidDataException($"Unsupported graph: '{name}' is [{string.Join(", ", table.Dims)}], expected a 2-D table{(width is null ? string.Empty : $" of width {width}")}.");
        }

        return table;
    }

    // MatMul(x, W[K, N]) + bias, W transposed to [n·K + k]; block-quantized to int8 when asked.
    private DenseWeights Dense(string matMulName, string biasName, bool quantize)
    {
        var node = Node(matMulName, "MatMul");
        var weight = Initializer(node.Input(1));
        weight.Require(OnnxDataType.Float);
        if (weight.Dims.Count != 2)
        {
            throw new InvalidDataException($"Unsupported graph: the weight of '{matMulName}' is not 2-D.");
        }

        var k = checked((int)weight.Dims[0]);
        var n = checked((int)weight.Dims[1]);
        var source = weight.ReadFloats(_directory);
        var transposed = new float[(long)n * k];
        for (var row = 0; row < k; row++)
        {
            for (var col = 0; col < n; col++)
            {
                transposed[(long)col * k + row] = source[(long)row * n + col];
            }
        }

        var bias = Initializer(biasName).ReadFloats(_directory);
        if (bias.Length != n)
        {
            throw new InvalidDataException($"Unsupported graph: '{biasName}' has {bias.Length} values, expected {n}.");
        }

        if (!quantize || k % Int8Linear.KernelBlock != 0)
        {
            return new DenseWeights(k, n, transposed, bias, null);
        }

        return new DenseWeights(k, n, null, bias, Quantize(transposed, k, n, Int8Linear.KernelBlock, Int8Linear.MaxWeightCode));
    }

    // Symmetric per block: scale = max|w| / maxCode, code = round(w / scale). maxCode is what this CPU's int8 kernel
    // takes: 127 with AVX-VNNI; 32 with AVX2, whose int16 sums would saturate beyond it (measured on arctic-xs
    // against ONNX Runtime fp32, 384 texts: ±32 min cosine 0.99942, ±16 0.99735, ±8 0.99008).
    internal static BlockQuantizedWeights Quantize(float[] transposed, int k, int n, int blockSize, int maxCode = 127)
    {
        var blocks = k / blockSize;
        var codes = new sbyte[(long)n * k];
        var scales = new float[(long)n * blocks];
        for (var col = 0; col < n; col++)
        {
            for (var b = 0; b < blocks; b++)
            {
                var block = transposed.AsSpan((int)((long)col * k + b * blockSize), blockSize);
                var max = MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(block));
                var scale = max > 0 ? max / maxCode : 1f;
                scales[col * blocks + b] = scale;
                for (var j = 0; j < blockSize; j++)
                {
                    codes[(long)col * k + b * blockSize + j] = (sbyte)Math.Clamp(MathF.Round(block[j] / scale), -maxCode, maxCode);
                }
            }
        }

        return new BlockQuantizedWeights(blockSize, codes, scales);
    }

    private float AttentionScale(string divName)
    {
        var div = Node(divName, "Div");
        var divisor = ConstantValue(div.Input(1))
            ?? throw new InvalidDataException($"Unsupported graph: the divisor of '{divName}' is not a constant.");
        return 1f / divisor;
    }

    private LayerNormWeights LayerNorm(string prefix, string epsilonConstant, int hidden)
    {
        var gamma = Initializer(prefix + ".weight").ReadFloats(_directory);
        var beta = Initializer(prefix + ".bias").ReadFloats(_directory);
        if (gamma.Length != hidden || beta.Length != hidden)
        {
            throw new InvalidDataException($"Unsupported graph: '{prefix}' has scale and bias of {gamma.Length} and {beta.Length} values, expected {hidden}.");
        }

        var epsilon = _nodesByName.TryGetValue(epsilonConstant, out var node) && node.OpType == "Constant"
            ? ConstantValue(node.Outputs[0]) ?? DefaultEpsilon
            : DefaultEpsilon;
        return new LayerNormWeights(gamma, beta, epsilon);
    }

    // The scalar value of an initializer or a Constant node's output, or null.
    private float? ConstantValue(string value)
    {
        if (_graph.Initializers.TryGetValue(value, out var tensor) && tensor.ElementCount == 1)
        {
            return tensor.ReadFloats(_directory)[0];
        }

        var constant = _graph.Nodes.FirstOrDefault(n => n.OpType == "Constant" && n.Outputs.Count > 0 && n.Outputs[0] == value);
        if (constant?.Attributes.TryGetValue("value", out var attribute) == true && attribute.Tensor is { ElementCount: 1 } t
            && t.DataType == OnnxDataType.Float)
        {
            return t.ReadFloats(_directory)[0];
        }

        return null;
    }

    private OnnxNode Node(string name, string opType) =>
        _nodesByName.TryGetValue(name, out var node) && node.OpType == opType
            ? node
            : throw new InvalidDataException($"Unsupported graph: no {opType} node named '{name}'.");

    private OnnxTensor Initializer(string name) =>
        _graph.Initializers.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidDataException($"Unsupported graph: no initializer '{name}'.");
}
