using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MemoryFabric.Embeddings.Onnx;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>Which dense-layer implementation the encoder uses.</summary>
internal enum EncoderKernel
{
    /// <summary>Int8 (AVX-VNNI, else AVX2) when the CPU has it, else fp32.</summary>
    Auto,

    /// <summary>The int8 kernel (<see cref="Int8Linear"/>: AVX-VNNI, else AVX2).</summary>
    Int8,

    /// <summary>The portable fp32 kernel (<see cref="FloatLinear"/>).</summary>
    Float32,
}

/// <summary>How the encoder turns a sequence's token states into one vector (before L2 normalization).</summary>
internal enum EncoderPooling
{
    /// <summary>The mean over the sequence's tokens (sentence-transformers' all-MiniLM-L6-v2).</summary>
    Mean,

    /// <summary>The first token's ([CLS]) state (snowflake-arctic-embed).</summary>
    Cls,
}

/// <summary>
/// The BERT encoder forward pass: embeddings + LayerNorm, then per layer a fused Q|K|V projection (one
/// 384 → 1152 GEMM), attention per sequence, output projection + residual + LayerNorm, GELU feed-forward
/// (GELU fused after the expansion GEMM) + residual + LayerNorm; finally mean pooling over each sequence's
/// tokens (or its [CLS] state, <see cref="EncoderPooling"/>) and L2 normalization.
/// <para>A chunk's sequences are packed back to back (no padding, so no attention mask and no wasted rows):
/// the dense layers see one matrix of all tokens, attention runs per sequence, and every row's arithmetic is the
/// same whatever else is in the chunk, so batching never changes a vector.</para>
/// <para>Dense layers: <see cref="Int8Linear"/> (AVX-VNNI or AVX2, on the model's exact 4-bit weights, dynamic per-row
/// u8 activations) where supported, else <see cref="FloatLinear"/> (fp32). For int8, a fixed calibration text
/// is run once at load to find each layer input's few outlier channels, which are then handled in fp32.
/// Measured against ONNX Runtime's fp32 output on 107 varied texts: fp32 path mean cosine 1.000000; int8 path
/// mean 0.99989, min 0.99969 (ONNX Runtime's own int8 mode, accuracy_level 4: mean 0.99975, min 0.99902).</para>
/// <para>Immutable after loading and thread-safe: all mutable state is in the caller's <see cref="EncoderWorkspace"/>.</para>
/// </summary>
internal sealed unsafe class MiniLmEncoder
{
    // A channel is an outlier when its calibration maximum is more than this many times the median channel's.
    // Measured on 107 texts against ONNX Runtime fp32 (mean / min cosine): no outlier handling 0.99922 / 0.99625;
    // ratio 3, at most 4 channels, none for the output projection 0.99986 / 0.99963; ratio 2, 8 channels
    // everywhere 0.99989 / 0.99971 for about twice the fp32 side work. The output projection's input (the
    // attention context) has no pronounced outliers: handling them there changed nothing measurable.
    private const float OutlierRatio = 3f;

    private readonly float[] _wordEmbeddings;
    private readonly float[] _positionEmbeddings;
    private readonly LayerNormWeights _embeddingNorm;
    private readonly Layer[] _layers;

    private MiniLmEncoder(MiniLmWeights weights, EncoderKernel kernel, IReadOnlyList<int[]>? calibration, EncoderPooling pooling)
    {
        kernel = ResolveKernel(kernel);
        Pooling = pooling;

        if (weights.HeadSize % 8 != 0)
        {
            throw new InvalidDataException($"Attention head size {weights.HeadSize} is not a multiple of 8.");
        }

        Kernel = kernel;
        Hidden = weights.Hidden;
        Heads = weights.Heads;
        Intermediate = weights.Intermediate;
        VocabSize = weights.VocabSize;
        MaxPositions = weights.MaxPositions;
        _wordEmbeddings = weights.WordEmbeddings;
        _positionEmbeddings = weights.PositionEmbeddings;
        _embeddingNorm = weights.EmbeddingNorm;

        // For int8, the calibration sequences run once through the layers (before outlier handling) to find each
        // layer input's outlier channels; the layers then add those channels back in fp32.
        _layers = [.. weights.Layers.Select(l => new Layer(l, kernel))];
        if (kernel == EncoderKernel.Int8)
        {
            var statistics = Calibrate(calibration ?? []);
            for (var i = 0; i < _layers.Length; i++)
            {
                _layers[i].SetOutliers(statistics?[i]);
            }
        }
    }

    /// <summary>The dense-layer implementation in use (never <see cref="EncoderKernel.Auto"/>; with
    /// <see cref="EncoderKernel.Int8"/>, a layer without the block-quantized form would still run in fp32).</summary>
    public EncoderKernel Kernel { get; }

    /// <summary>How a sequence's vector is pooled from its token states.</summary>
    public EncoderPooling Pooling { get; }

    /// <summary>The kernel <paramref name="kernel"/> stands for on this CPU (<see cref="EncoderKernel.Auto"/>: int8 with AVX-VNNI or AVX2, else fp32).</summary>
    /// <exception cref="PlatformNotSupportedException">Int8 was asked for on a CPU without AVX2 and FMA.</exception>
    public static EncoderKernel ResolveKernel(EncoderKernel kernel) => kernel switch
    {
        EncoderKernel.Auto => Int8Linear.IsSupported ? EncoderKernel.Int8 : EncoderKernel.Float32,
        EncoderKernel.Int8 when !Int8Linear.IsSupported => throw new PlatformNotSupportedException("The int8 kernel needs AVX2 and FMA (or AVX-VNNI)."),
        _ => kernel,
    };

    /// <summary>The hidden size, which is also the embedding size.</summary>
    public int Hidden { get; }

    /// <summary>The number of attention heads.</summary>
    public int Heads { get; }

    /// <summary>The feed-forward inner size.</summary>
    public int Intermediate { get; }

    /// <summary>The vocabulary size.</summary>
    public int VocabSize { get; }

    /// <summary>The longest sequence the position embeddings allow.</summary>
    public int MaxPositions { get; }

    /// <summary>The number of transformer layers.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>Loads the encoder from an ONNX file and its external data.</summary>
    /// <param name="onnxPath">The <c>.onnx</c> file.</param>
    /// <param name="kernel">The dense-layer implementation.</param>
    /// <param name="calibration">Token sequences run once at load to find, for the int8 kernel, each layer
    /// input's outlier channels; none means no outlier handling.</param>
    /// <exception cref="InvalidDataException">The file is malformed or not a supported BERT encoder.</exception>
    public static MiniLmEncoder Load(string onnxPath, EncoderKernel kernel = EncoderKernel.Auto, IReadOnlyList<int[]>? calibration = null)
    {
        var model = OnnxModel.Load(onnxPath);
        var weights = MiniLmGraphReader.Read(model, Path.GetDirectoryName(Path.GetFullPath(onnxPath))!);
        return new MiniLmEncoder(weights, kernel, calibration, EncoderPooling.Mean);
    }

    /// <summary>Creates the encoder from weights already read.</summary>
    internal static MiniLmEncoder Create(
        MiniLmWeights weights, EncoderKernel kernel, IReadOnlyList<int[]>? calibration, EncoderPooling pooling = EncoderPooling.Mean) =>
        new(weights, kernel, calibration, pooling);

    /// <summary>Creates a workspace for chunks of up to <paramref name="maxTokens"/> tokens.</summary>
    public EncoderWorkspace CreateWorkspace(int maxTokens, int maxLength) =>
        new(maxTokens, maxLength, Hidden, Intermediate, Hidden / Heads);

    /// <summary>Encodes a chunk of sequences into unit-length pooled embeddings (<see cref="Pooling"/>).</summary>
    /// <param name="sequences">Token ids of each sequence ([CLS] … [SEP]); together at most the workspace's tokens.</param>
    /// <param name="output">sequences.Count × <see cref="Hidden"/> floats.</param>
    /// <param name="workspace">The calling thread's workspace.</param>
    /// <param name="cancellationToken">Checked between layers.</param>
    public void Encode(ReadOnlySpan<int[]> sequences, Span<float> output, EncoderWorkspace workspace, CancellationToken cancellationToken)
    {
        var hidden = Hidden;
        var tokens = 0;
        foreach (var ids in sequences)
        {
            if (ids.Length == 0 || ids.Length > MaxPositions || ids.Length > workspace.MaxLength)
            {
                throw new ArgumentException($"A sequence has {ids.Length} tokens; 1 to {Math.Min(MaxPositions, workspace.MaxLength)} are supported.", nameof(sequences));
            }

            tokens += ids.Length;
        }

        if (tokens > workspace.MaxTokens)
        {
            throw new ArgumentException($"The chunk has {tokens} tokens, more than the workspace's {workspace.MaxTokens}.", nameof(sequences));
        }

        if (output.Length < sequences.Length * hidden)
        {
            throw new ArgumentException("The output is too small.", nameof(output));
        }

        var x = workspace.Hidden.Pointer;
        var firstTokensOnly = Pooling == EncoderPooling.Cls;
        Forward(sequences, tokens, workspace, null, firstTokensOnly, cancellationToken);

        var row = 0;
        for (var s = 0; s < sequences.Length; s++)
        {
            var length = sequences[s].Length;
            var pooled = output.Slice(s * hidden, hidden);
            if (firstTokensOnly)
            {
                // The last layer left only each sequence's [CLS] state, one row per sequence.
                new ReadOnlySpan<float>(x + (nint)s * hidden, hidden).CopyTo(pooled);
            }
            else
            {
                pooled.Clear();
                for (var t = 0; t < length; t++)
                {
                    TensorPrimitives.Add(pooled, new ReadOnlySpan<float>(x + (nint)(row + t) * hidden, hidden), pooled);
                }

                TensorPrimitives.Multiply(pooled, 1f / length, pooled);
            }

            VectorMath.Normalize(pooled);
            row += length;
        }
    }

    // With firstTokensOnly, the last layer computes only each sequence's first token (all it attends to still
    // comes from every token) and leaves those states in the first rows, one per sequence: [CLS] pooling needs
    // nothing else, and it saves that layer's attention queries, output projection and feed-forward for every
    // other token (about a seventh of the work at 48 tokens per sequence).
    private void Forward(
        ReadOnlySpan<int[]> sequences, int tokens, EncoderWorkspace workspace, LayerStatistics[]? statistics, bool firstTokensOnly,
        CancellationToken cancellationToken)
    {
        Embed(sequences, workspace.Hidden.Pointer);
        for (var i = 0; i < _layers.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _layers[i].Forward(sequences, tokens, workspace, Heads, statistics?[i], firstTokensOnly && i == _layers.Length - 1);
        }
    }

    // Runs the calibration sequences through the layers (int8 without outlier handling yet: the outliers are
    // 10-30× the typical range, plain to see even so) and records each layer input's largest |value| per channel.
    private LayerStatistics[]? Calibrate(IReadOnlyList<int[]> calibration)
    {
        var sequences = calibration.Where(s => s.Length > 0 && s.Length <= MaxPositions).ToArray();
        if (sequences.Length == 0)
        {
            return null;
        }

        var tokens = sequences.Sum(s => s.Length);
        var workspace = CreateWorkspace(tokens, sequences.Max(s => s.Length));
        var statistics = _layers.Select(_ => new LayerStatistics(Hidden, Intermediate)).ToArray();
        Forward(sequences, tokens, workspace, statistics, firstTokensOnly: false, CancellationToken.None);
        return statistics;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Embed(ReadOnlySpan<int[]> sequences, float* x)
    {
        var hidden = Hidden;
        var row = 0;
        foreach (var ids in sequences)
        {
            for (var p = 0; p < ids.Length; p++, row++)
            {
                var id = ids[p];
                if ((uint)id >= (uint)VocabSize)
                {
                    throw new ArgumentException($"Token id {id} is outside the vocabulary.", nameof(sequences));
                }

                var target = new Span<float>(x + (nint)row * hidden, hidden);
                TensorPrimitives.Add(_wordEmbeddings.AsSpan(id * hidden, hidden), _positionEmbeddings.AsSpan(p * hidden, hidden), target);
                VectorMath.LayerNorm(target, _embeddingNorm.Gamma, _embeddingNorm.Beta, _embeddingNorm.Epsilon);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LayerNormRows(float* x, int rows, int width, LayerNormWeights norm)
    {
        for (var r = 0; r < rows; r++)
        {
            VectorMath.LayerNorm(new Span<float>(x + (nint)r * width, width), norm.Gamma, norm.Beta, norm.Epsilon);
        }
    }

    private static DenseWeights Concatenate(DenseWeights a, DenseWeights b, DenseWeights c)
    {
        BlockQuantizedWeights? blocks = null;
        if (a.Blocks is { } qa && b.Blocks is { } qb && c.Blocks is { } qc && qa.BlockSize == qb.BlockSize && qa.BlockSize == qc.BlockSize)
        {
            blocks = new BlockQuantizedWeights(qa.BlockSize, [.. qa.Codes, .. qb.Codes, .. qc.Codes], [.. qa.Scales, .. qb.Scales, .. qc.Scales]);
        }

        float[]? weights = blocks is null ? [.. a.Weights, .. b.Weights, .. c.Weights] : null;
        return new(a.K, a.N + b.N + c.N, weights, [.. a.Bias, .. b.Bias, .. c.Bias], blocks);
    }

    // Per-channel largest |value| of the inputs of three dense layers of one transformer layer.
    private sealed class LayerStatistics(int hidden, int intermediate)
    {
        public float[] AttentionInput { get; } = new float[hidden];

        public float[] FeedForwardInput { get; } = new float[hidden];

        public float[] FeedForwardHidden { get; } = new float[intermediate];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Record(float[] maxima, float* rows, int count)
        {
            var width = maxima.Length;
            for (var r = 0; r < count; r++)
            {
                var row = new ReadOnlySpan<float>(rows + (nint)r * width, width);
                for (var c = 0; c < width; c++)
                {
                    maxima[c] = MathF.Max(maxima[c], MathF.Abs(row[c]));
                }
            }
        }

        // Channels whose calibration maximum exceeds OutlierRatio × the median channel's, largest first.
        public static int[] Outliers(float[]? maxima)
        {
            if (maxima is null)
            {
                return [];
            }

            var sorted = maxima.Order().ToArray();
            var threshold = OutlierRatio * sorted[sorted.Length / 2];
            return [.. Enumerable.Range(0, maxima.Length).Where(c => maxima[c] > threshold)
                .OrderByDescending(c => maxima[c]).Take(Int8Linear.MaxOutliers)];
        }
    }

    private sealed class Layer
    {
        private readonly ILinearLayer _qkv;
        private readonly ILinearLayer _output;
        private readonly ILinearLayer _up;
        private readonly ILinearLayer _down;
        private readonly LayerNormWeights _attentionNorm;
        private readonly LayerNormWeights _outputNorm;
        private readonly float _scale;
        private readonly LinearEpilogue _gelu;

        public Layer(LayerWeights w, EncoderKernel kernel)
        {
            ILinearLayer Make(DenseWeights d) => kernel == EncoderKernel.Int8 && Int8Linear.CanPack(d) ? new Int8Linear(d) : new FloatLinear(d);
            _qkv = Make(Concatenate(w.Query, w.Key, w.Value));
            _output = Make(w.Output);
            _up = Make(w.Intermediate);
            _down = Make(w.FeedForwardOutput);
            _attentionNorm = w.AttentionNorm;
            _outputNorm = w.OutputNorm;
            _scale = w.AttentionScale;
            _gelu = w.TanhGelu ? LinearEpilogue.GeluTanh : LinearEpilogue.Gelu;
        }

        // Gives each int8 layer its outlier channels (none without statistics).
        public void SetOutliers(LayerStatistics? statistics)
        {
            (_qkv as Int8Linear)?.SetOutliers(LayerStatistics.Outliers(statistics?.AttentionInput));
            (_output as Int8Linear)?.SetOutliers([]);
            (_up as Int8Linear)?.SetOutliers(LayerStatistics.Outliers(statistics?.FeedForwardInput));
            (_down as Int8Linear)?.SetOutliers(LayerStatistics.Outliers(statistics?.FeedForwardHidden));
        }

        // With firstTokensOnly, only each sequence's first token is carried past the attention: its output is left
        // in row s of the hidden states for sequence s.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Forward(ReadOnlySpan<int[]> sequences, int tokens, EncoderWorkspace ws, int heads, LayerStatistics? statistics, bool firstTokensOnly)
        {
            var hidden = _output.OutputSize;
            var x = ws.Hidden.Pointer;
            var normed = ws.Normed.Pointer;
            var context = ws.Context.Pointer;
            var wide = ws.Wide.Pointer;

            if (statistics is not null)
            {
                LayerStatistics.Record(statistics.AttentionInput, x, tokens);
            }

            _qkv.Forward(x, tokens, wide, null, LinearEpilogue.None, ws.Linear);
            var row = 0;
            if (firstTokensOnly)
            {
                for (var s = 0; s < sequences.Length; s++)
                {
                    Attention.Forward(wide + (nint)row * 3 * hidden, sequences[s].Length, context + (nint)s * hidden, hidden, heads, _scale, ws.AttentionScratch.Pointer, queries: 1);

                    // The residual input of the first token moves to row s (row ≥ s, and later sources lie beyond it).
                    if (row != s)
                    {
                        new ReadOnlySpan<float>(x + (nint)row * hidden, hidden).CopyTo(new Span<float>(x + (nint)s * hidden, hidden));
                    }

                    row += sequences[s].Length;
                }

                tokens = sequences.Length;
            }
            else
            {
                foreach (var ids in sequences)
                {
                    Attention.Forward(wide + (nint)row * 3 * hidden, ids.Length, context + (nint)row * hidden, hidden, heads, _scale, ws.AttentionScratch.Pointer);
                    row += ids.Length;
                }
            }

            _output.Forward(context, tokens, normed, x, LinearEpilogue.Residual, ws.Linear);
            LayerNormRows(normed, tokens, hidden, _attentionNorm);
            if (statistics is not null)
            {
                LayerStatistics.Record(statistics.FeedForwardInput, normed, tokens);
            }

            _up.Forward(normed, tokens, wide, null, _gelu, ws.Linear);
            if (statistics is not null)
            {
                LayerStatistics.Record(statistics.FeedForwardHidden, wide, tokens);
            }

            _down.Forward(wide, tokens, x, normed, LinearEpilogue.Residual, ws.Linear);
            LayerNormRows(x, tokens, hidden, _outputNorm);
        }
    }
}
