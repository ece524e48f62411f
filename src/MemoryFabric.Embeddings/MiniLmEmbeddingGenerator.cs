using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Tokenization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (4-bit weights), computed in pure C#: the BERT WordPiece tokenizer,
/// the 6-layer encoder, mean pooling over the tokens and L2 normalization, as sentence-transformers does. Vectors
/// have <see cref="Dimensions"/> (384) components and unit length, so a dot product is the cosine.
/// <para>The model is loaded in the constructor (about 0.3 s: SHA-256 check, weight unpacking, a short
/// calibration pass; about 130 MB resident afterwards, plus about 13 MB of working memory per busy thread) and
/// shared with any other generator of the process on the same directory (those load instantly); then
/// calls are CPU-bound and thread-safe (concurrent calls are fine, each uses its own working memory). On x64 CPUs
/// with AVX-VNNI the dense layers run in 8-bit integers on the model's exact 4-bit weights with dynamically
/// quantized activations (about 1.6× the fp32 speed; mean cosine 0.99986 to ONNX Runtime's fp32 result), elsewhere
/// in fp32 (register-tiled AVX-512 or AVX2 GEMM; identical to ONNX Runtime's fp32 result to rounding).
/// <see cref="UsesInt8Kernel"/> tells which.</para>
/// <para>A call's texts are tokenized, then cut into chunks (at most <see cref="MiniLmEmbeddingGeneratorOptions.BatchSize"/>
/// texts and 1,024 tokens each) spread over up to <see cref="MiniLmEmbeddingGeneratorOptions.MaxDegreeOfParallelism"/>
/// threads. Within a chunk the texts' tokens are packed back to back without padding and attention runs per text,
/// so a text's vector does not depend on what else is in the call. <see cref="GenerateAsync"/> does its work
/// synchronously on the calling thread (plus the workers) and returns a completed task.</para>
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "memoryfabric-minilm";

    /// <summary>The model id reported in metadata and on each embedding (whatever
    /// <see cref="EmbeddingGenerationOptions.ModelId"/> asks for: there is one model).</summary>
    public const string DefaultModelId = MiniLmModel.ModelId;

    /// <summary>The vector size.</summary>
    public const int Dimensions = 384;

    private const int ChunkTokens = 1024;

    private readonly SharedModel _model;   // keeps the shared entry alive as long as this generator
    private readonly BertTokenizer _tokenizer;
    private readonly MiniLmEncoder _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxDegreeOfParallelism;
    private readonly int _batchSize;
    private readonly int _workspaceTokens;
    private readonly ConcurrentBag<EncoderWorkspace> _workspaces = [];
    private volatile bool _disposed;

    // Loaded models, shared by the generators of a process that use the same directory and kernel (the model is
    // immutable after loading); weakly held, so a model no generator uses any more can be collected.
    private static readonly Dictionary<(string Directory, EncoderKernel Kernel), WeakReference<SharedModel>> Shared = [];
    private static readonly Lock SharedGate = new();

    /// <summary>Loads the model.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ModelFileException">A model file is missing, corrupted or not a supported model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public MiniLmEmbeddingGenerator(MiniLmEmbeddingGeneratorOptions? options = null)
    {
        options ??= new MiniLmEmbeddingGeneratorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSequenceLength, 2, "options.MaxSequenceLength");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxDegreeOfParallelism, "options.MaxDegreeOfParallelism");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, "options.BatchSize");
        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");

        var directory = Path.GetFullPath(options.ModelDirectory ?? MiniLmModel.DefaultDirectory);
        MiniLmModel.Verify(directory);
        _model = LoadShared(directory, options.Kernel);
        (_tokenizer, _encoder) = (_model.Tokenizer, _model.Encoder);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSequenceLength, _encoder.MaxPositions, "options.MaxSequenceLength");
        MaxSequenceLength = options.MaxSequenceLength;
        _maxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        _batchSize = options.BatchSize;
        _timeProvider = options.TimeProvider;
        _workspaceTokens = Math.Max(ChunkTokens, MaxSequenceLength);
        ModelDirectory = directory;
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, DefaultModelId, Dimensions);
    }

    /// <summary>The directory the model was loaded from.</summary>
    public string ModelDirectory { get; }

    /// <summary>The most tokens a text is encoded with ([CLS] and [SEP] included); the rest is truncated.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>The loaded encoder (shared by the generators on the same model directory).</summary>
    internal MiniLmEncoder Encoder => _encoder;

    /// <summary>Whether the dense layers run in 8-bit integers (AVX-VNNI) rather than fp32.</summary>
    public bool UsesInt8Kernel => _encoder.Kernel == EncoderKernel.Int8;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new NotSupportedException($"{ProviderName} produces {Dimensions}-dimension vectors; {dimensions} were requested.");
        }

        var texts = values as string[] ?? [.. values];
        try
        {
            var vectors = new float[texts.Length * Dimensions];
            var tokens = Embed(texts, vectors, cancellationToken);
            var createdAt = _timeProvider.GetUtcNow();
            var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length)
            {
                Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
            };
            for (var i = 0; i < texts.Length; i++)
            {
                result.Add(new Embedding<float>(vectors.AsSpan(i * Dimensions, Dimensions).ToArray()) { ModelId = DefaultModelId, CreatedAt = createdAt });
            }

            return Task.FromResult(result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<GeneratedEmbeddings<Embedding<float>>>(ex);
        }
    }

    /// <summary>Embeds texts synchronously into <paramref name="destination"/>.</summary>
    /// <param name="texts">The texts (null counts as empty).</param>
    /// <param name="destination">texts.Length × <see cref="Dimensions"/> floats; text i's unit vector goes to [i·384, (i+1)·384).</param>
    public void Embed(ReadOnlySpan<string> texts, Span<float> destination) => Embed(texts, destination, CancellationToken.None);

    /// <summary>Embeds texts synchronously into <paramref name="destination"/>.</summary>
    /// <param name="texts">The texts (null counts as empty).</param>
    /// <param name="destination">texts.Length × <see cref="Dimensions"/> floats; text i's unit vector goes to [i·384, (i+1)·384).</param>
    /// <param name="cancellationToken">Checked between chunks and between layers.</param>
    /// <returns>The number of tokens encoded (after truncation).</returns>
    public int Embed(ReadOnlySpan<string> texts, Span<float> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < texts.Length * Dimensions)
        {
            throw new ArgumentException($"The destination needs {texts.Length * Dimensions} floats, it has {destination.Length}.", nameof(destination));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (texts.IsEmpty)
        {
            return 0;
        }

        using var activity = EmbeddingsTelemetry.Source.StartActivity("memoryfabric.embeddings.encode");
        var sequences = new int[texts.Length][];
        var tokens = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            sequences[i] = _tokenizer.Encode(texts[i] ?? string.Empty, MaxSequenceLength);
            tokens += sequences[i].Length;
        }

        activity?.SetTag("memoryfabric.texts", texts.Length).SetTag("memoryfabric.tokens", tokens);

        var chunks = Chunk(sequences, tokens);
        unsafe
        {
            fixed (float* output = destination)
            {
                Run(sequences, chunks, (nint)output, cancellationToken);
            }
        }

        return tokens;
    }

    /// <summary>Embeds one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Its unit vector.</returns>
    public float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        Embed([text], vector, CancellationToken.None);
        return vector;
    }

    /// <summary>The number of tokens <paramref name="text"/> has before truncation, [CLS] and [SEP] included.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.CountTokens(text);
    }

    /// <summary>The token ids the encoder sees for <paramref name="text"/> (truncated to <see cref="MaxSequenceLength"/>).</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text, MaxSequenceLength);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _workspaces.Clear();
    }

    // The tokenizer and encoder of a verified model directory: the one already loaded in this process, if any.
    private static SharedModel LoadShared(string directory, EncoderKernel kernel)
    {
        lock (SharedGate)
        {
            if (Shared.TryGetValue((directory, kernel), out var weak) && weak.TryGetTarget(out var loaded))
            {
                return loaded;
            }

            loaded = Load(directory, kernel);
            Shared[(directory, kernel)] = new WeakReference<SharedModel>(loaded);
            return loaded;
        }
    }

    private static SharedModel Load(string directory, EncoderKernel kernel)
    {
        var vocabularyPath = Path.Combine(directory, MiniLmModel.VocabFileName);
        var onnxPath = Path.Combine(directory, MiniLmModel.OnnxFileName);
        BertTokenizer tokenizer;
        try
        {
            tokenizer = BertTokenizer.Load(vocabularyPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFileException($"The vocabulary '{vocabularyPath}' is not usable: {ex.Message}", vocabularyPath, ex);
        }

        MiniLmEncoder encoder;
        try
        {
            var calibration = CalibrationText.Sentences.Select(s => tokenizer.Encode(s, 512)).ToList();
            encoder = MiniLmEncoder.Load(onnxPath, kernel, calibration);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException)
        {
            throw new ModelFileException($"The model '{onnxPath}' is not usable: {ex.Message}", onnxPath, ex);
        }

        if (encoder.Hidden != Dimensions || tokenizer.Vocabulary.Count != encoder.VocabSize)
        {
            throw new ModelFileException(
                $"The model '{onnxPath}' has {encoder.Hidden} dimensions and a {encoder.VocabSize}-token vocabulary; expected {Dimensions} and the {tokenizer.Vocabulary.Count} tokens of '{vocabularyPath}'.",
                onnxPath);
        }

        return new SharedModel(tokenizer, encoder);
    }

    // Consecutive texts, at most BatchSize per chunk and about totalTokens / threads tokens (≤ ChunkTokens), so
    // the threads get similar work.
    private List<(int Start, int Count)> Chunk(int[][] sequences, int tokens)
    {
        var threads = Math.Min(_maxDegreeOfParallelism, sequences.Length);
        var target = Math.Clamp((tokens + threads - 1) / threads, 1, ChunkTokens);
        var chunks = new List<(int, int)>();
        var start = 0;
        while (start < sequences.Length)
        {
            var count = 0;
            var size = 0;
            while (start + count < sequences.Length && count < _batchSize
                && (count == 0 || size + sequences[start + count].Length <= target))
            {
                size += sequences[start + count].Length;
                count++;
            }

            chunks.Add((start, count));
            start += count;
        }

        return chunks;
    }

    private void Run(int[][] sequences, List<(int Start, int Count)> chunks, nint output, CancellationToken cancellationToken)
    {
        var threads = Math.Min(_maxDegreeOfParallelism, chunks.Count);
        if (threads <= 1)
        {
            var workspace = RentWorkspace();
            try
            {
                foreach (var chunk in chunks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Encode(sequences, chunk, output, workspace, cancellationToken);
                }
            }
            finally
            {
                ReturnWorkspace(workspace);
            }

            return;
        }

        var next = -1;
        try
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, _ =>
            {
                var workspace = RentWorkspace();
                try
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < chunks.Count)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Encode(sequences, chunks[index], output, workspace, cancellationToken);
                    }
                }
                finally
                {
                    ReturnWorkspace(workspace);
                }
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            var inner = ex.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(inner).Throw();
        }
    }

    private unsafe void Encode(int[][] sequences, (int Start, int Count) chunk, nint output, EncoderWorkspace workspace, CancellationToken cancellationToken)
    {
        var target = new Span<float>((float*)output + (nint)chunk.Start * Dimensions, chunk.Count * Dimensions);
        _encoder.Encode(sequences.AsSpan(chunk.Start, chunk.Count), target, workspace, cancellationToken);
    }

    private sealed record SharedModel(BertTokenizer Tokenizer, MiniLmEncoder Encoder);

    private EncoderWorkspace RentWorkspace() =>
        _workspaces.TryTake(out var workspace) ? workspace : _encoder.CreateWorkspace(_workspaceTokens, MaxSequenceLength);

    private void ReturnWorkspace(EncoderWorkspace workspace)
    {
        if (!_disposed && _workspaces.Count < Environment.ProcessorCount)
        {
            _workspaces.Add(workspace);
        }
    }
}
