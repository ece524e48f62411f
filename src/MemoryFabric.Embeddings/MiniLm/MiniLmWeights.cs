namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// The BERT encoder's parameters as read from the ONNX graph, in plain fp32: the embedding tables, the
/// LayerNorm parameters, and per layer the six projection matrices, dequantized from their 4-bit blocks.
/// The encoder repacks the matrices into its GEMM's layout; this object is then dropped.
/// </summary>
internal sealed class MiniLmWeights
{
    /// <summary>The hidden size (384).</summary>
    public required int Hidden { get; init; }

    /// <summary>The number of attention heads (12).</summary>
    public required int Heads { get; init; }

    /// <summary>The feed-forward inner size (1536).</summary>
    public required int Intermediate { get; init; }

    /// <summary>The vocabulary size (30,522).</summary>
    public required int VocabSize { get; init; }

    /// <summary>The number of position embeddings (512): the longest sequence the model accepts.</summary>
    public required int MaxPositions { get; init; }

    /// <summary>Word embeddings, [vocab, hidden] row-major.</summary>
    public required float[] WordEmbeddings { get; init; }

    /// <summary>Position embeddings plus the token-type-0 embedding, [positions, hidden] row-major.</summary>
    public required float[] PositionEmbeddings { get; init; }

    /// <summary>The LayerNorm after the embedding sum.</summary>
    public required LayerNormWeights EmbeddingNorm { get; init; }

    /// <summary>The transformer layers, in order.</summary>
    public required IReadOnlyList<LayerWeights> Layers { get; init; }

    /// <summary>The hidden size of one attention head.</summary>
    public int HeadSize => Hidden / Heads;
}

/// <summary>LayerNorm parameters: y = (x − mean) / sqrt(var + epsilon) · Gamma + Beta.</summary>
internal sealed record LayerNormWeights(float[] Gamma, float[] Beta, float Epsilon);

/// <summary>
/// A dense projection y = x·W + b with W of shape [K, N], kept as the model stores it when its block-quantized
/// codes fit a signed byte (<see cref="Blocks"/>), else in fp32. <see cref="Weights"/> gives W transposed in fp32,
/// [n·K + k] (one contiguous row of K inputs per output, MatMulNBits' layout), dequantized on first use; the int8
/// kernel never needs it, which keeps 42 MB of fp32 weights out of memory at load.
/// </summary>
internal sealed class DenseWeights
{
    private float[]? _weights;

    /// <summary>Creates the layer from fp32 weights and/or their block-quantized form (at least one).</summary>
    public DenseWeights(int k, int n, float[]? weights, float[] bias, BlockQuantizedWeights? blocks)
    {
        if (weights is null && blocks is null)
        {
            throw new ArgumentException("Either the fp32 or the block-quantized weights are needed.", nameof(weights));
        }

        K = k;
        N = n;
        _weights = weights;
        Bias = bias;
        Blocks = blocks;
    }

    /// <summary>The input size.</summary>
    public int K { get; }

    /// <summary>The output size.</summary>
    public int N { get; }

    /// <summary>The bias, N values.</summary>
    public float[] Bias { get; }

    /// <summary>The exact block-quantized form, when the model has one that fits a signed byte.</summary>
    public BlockQuantizedWeights? Blocks { get; }

    /// <summary>W transposed in fp32, [n·K + k] (materialized on first use; not thread-safe, load-time only).</summary>
    public float[] Weights => _weights ??= Dequantize();

    /// <summary>One weight, W[k, n], without materializing <see cref="Weights"/>.</summary>
    public float Weight(int n, int k) =>
        _weights?[(long)n * K + k] ?? Blocks!.Codes[(long)n * K + k] * Blocks.Scales[(long)n * (K / Blocks.BlockSize) + k / Blocks.BlockSize];

    private float[] Dequantize()
    {
        var blocks = Blocks!;
        var perColumn = K / blocks.BlockSize;
        var weights = new float[(long)N * K];
        for (long i = 0; i < weights.Length; i++)
        {
            var n = i / K;
            weights[i] = blocks.Codes[i] * blocks.Scales[n * perColumn + (i - n * K) / blocks.BlockSize];
        }

        return weights;
    }
}

/// <summary>
/// Block-quantized weights, exactly as the model stores them: W[n, k] = Codes[n·K + k] · Scales[n·B + k / BlockSize]
/// with B = K / BlockSize blocks per output (the zero point already subtracted from the codes).
/// </summary>
internal sealed record BlockQuantizedWeights(int BlockSize, sbyte[] Codes, float[] Scales);

/// <summary>One transformer layer: self-attention, residual + LayerNorm, GELU feed-forward, residual + LayerNorm.</summary>
internal sealed class LayerWeights
{
    /// <summary>The query projection.</summary>
    public required DenseWeights Query { get; init; }

    /// <summary>The key projection.</summary>
    public required DenseWeights Key { get; init; }

    /// <summary>The value projection.</summary>
    public required DenseWeights Value { get; init; }

    /// <summary>The attention output projection.</summary>
    public required DenseWeights Output { get; init; }

    /// <summary>The LayerNorm after attention + residual.</summary>
    public required LayerNormWeights AttentionNorm { get; init; }

    /// <summary>The feed-forward expansion (hidden → intermediate), followed by GELU.</summary>
    public required DenseWeights Intermediate { get; init; }

    /// <summary>The feed-forward contraction (intermediate → hidden).</summary>
    public required DenseWeights FeedForwardOutput { get; init; }

    /// <summary>The LayerNorm after feed-forward + residual.</summary>
    public required LayerNormWeights OutputNorm { get; init; }

    /// <summary>The factor applied to the query-key dot products (1/√head size).</summary>
    public required float AttentionScale { get; init; }

    /// <summary>Whether the GELU is the tanh approximation instead of the exact erf form.</summary>
    public required bool TanhGelu { get; init; }
}
