using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MemoryFabric.Embeddings.MiniLm;
using MemoryFabric.Embeddings.Tokenization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// The shared machinery of the pure-C# BERT sentence encoders (<see cref="MiniLmEmbeddingGenerator"/>,
/// <see cref="ArcticXsEmbeddingGenerator"/>): the WordPiece tokenizer, the 6-layer encoder (int8 AVX-VNNI / AVX2 or fp32
/// dense layers), the model's pooling and L2 normalization; vectors have unit length, so a dot product is the cosine.
/// <para>A model is loaded once per process and directory and shared by the generators on it (weakly held); calls are
/// CPU-bound and thread-safe (each uses its own working memory). A call's texts are tokenized, then cut into chunks (at
/// most <see cref="BertEmbeddingGeneratorOptions.BatchSize"/> texts and 1,024 tokens each) spread over up to
/// <see cref="BertEmbeddingGeneratorOptions.MaxDegreeOfParallelism"/> threads. Within a chunk the texts' tokens are
/// packed back to back without padding and attention runs per text, so a text's vector does not depend on what else is
/// in the call. <see cref="GenerateAsync"/> does its work synchronously on the calling thread (plus the workers) and
/// returns a completed task. Texts of a call whose options are marked <see cref="EmbeddingInputType.Query"/> get the
/// model's query prefix, if it has one.</para>
/// </summary>
public abstract class BertEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int ChunkTokens = 1024;

    private readonly SharedModel _model;   // keeps the shared entry alive as long as this generator
    private readonly BertTokenizer _tokenizer;
    private readonly MiniLmEncoder _encoder;
    private readonly EncoderModel _descriptor;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxDegreeOfParallelism;
    private readonly int _batchSize;
    private readonly int _workspaceTokens;
    private readonly ConcurrentBag<EncoderWorkspace> _workspaces = [];
    private volatile bool _disposed;

    // Loaded models, shared by the generators of a process that use the same model, directory and kernel (the model is
    // immutable after loading); weakly held, so a model no generator uses any more can be collected.
    private static readonly Dictionary<(string Model, string Directory, EncoderKernel Kernel), WeakReference<SharedModel>> Shared = [];
    private static readonly Lock SharedGate = new();

    /// <summary>Loads the model.</summary>
    /// <param name="options">The options.</param>
    /// <param name="model">Which model, where its files are, how it pools.</param>
    private protected BertEmbeddingGenerator(BertEmbeddingGeneratorOptions options, EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSequenceLength, 2, "options.MaxSequenceLength");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxDegreeOfParallelism, "options.MaxDegreeOfParallelism");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, "options.BatchSize");
        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");

        _descriptor = model;
        var directory = Path.GetFullPath(options.ModelDirectory ?? model.DefaultDirectory());
        model.Verify(directory);
        _model = LoadShared(model, directory, options.Kernel);
        (_tokenizer, _encoder) = (_model.Tokenizer, _model.Encoder);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSequenceLength, _encoder.MaxPositions, "options.MaxSequenceLength");
        MaxSequenceLength = options.MaxSequenceLength;
        _maxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        _batchSize = options.BatchSize;
        _timeProvider = options.TimeProvider;
        _workspaceTokens = Math.Max(ChunkTokens, MaxSequenceLength);
        ModelDirectory = directory;
        _metadata = new EmbeddingGeneratorMetadata(model.ProviderName, providerUri: null, model.ModelId, model.Dimensions);
    }

    /// <summary>The model id reported in metadata and on each embedding.</summary>
    public string ModelId => _descriptor.ModelId;

    /// <summary>The vector size.</summary>
    public int VectorDimensions => _descriptor.Dimensions;

    /// <summary>The prefix put before each query text (calls marked <see cref="EmbeddingInputType.Query"/>), or
    /// <see langword="null"/> when the model encodes queries and documents alike.</summary>
    public string? QueryPrefix => _descriptor.QueryPrefix;

    /// <summary>The directory the model was loaded from.</summary>
    public string ModelDirectory { get; }

    /// <summary>The most tokens a text is encoded with ([CLS] and [SEP] included); the rest is truncated.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>The loaded encoder (shared by the generators on the same model directory).</summary>
    internal MiniLmEncoder Encoder => _encoder;

    /// <summary>Whether the dense layers run in 8-bit integers (AVX-VNNI or AVX2) rather than fp32.</summary>
    public bool UsesInt8Kernel => _encoder.Kernel == EncoderKernel.Int8;

    /// <summary>The dense layers' kernel, for logs and benchmarks: "int8 AVX-VNNI", "int8 AVX2" or "fp32".</summary>
    public string KernelName => UsesInt8Kernel && Int8Linear.BestKind is { } kind
        ? kind == Int8KernelKind.AvxVnni ? "int8 AVX-VNNI" : "int8 AVX2"
        : "fp32";

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var size = VectorDimensions;
        if (options?.Dimensions is { } dimensions && dimensions != size)
        {
            throw new NotSupportedException($"{_descriptor.ProviderName} produces {size}-dimension vectors; {dimensions} were requested.");
        }

        var texts = values as string[] ?? [.. values];
        if (_descriptor.QueryPrefix is { } prefix && EmbeddingInputType.IsQuery(options))
        {
            texts = [.. texts.Select(t => prefix + t)];
        }

        try
        {
            var vectors = new float[texts.Length * size];
            var tokens = Embed(texts, vectors, cancellationToken);
            var createdAt = _timeProvider.GetUtcNow();
            var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length)
            {
                Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
            };
            for (var i = 0; i < texts.Length; i++)
            {
                result.Add(new Embedding<float>(vectors.AsSpan(i * size, size).ToArray()) { ModelId = _descriptor.ModelId, CreatedAt = createdAt });
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
    /// <param name="destination">texts.Length × <see cref="VectorDimensions"/> floats; text i's unit vector goes to [i·384, (i+1)·384).</param>
    public void Embed(ReadOnlySpan<string> texts, Span<float> destination) => Embed(texts, destination, CancellationToken.None);

    /// <summary>Embeds texts synchronously into <paramref name="destination"/>.</summary>
    /// <param name="texts">The texts (null counts as empty).</param>
    /// <param name="destination">texts.Length × <see cref="VectorDimensions"/> floats; text i's unit vector goes to [i·384, (i+1)·384).</param>
    /// <param name="cancellationToken">Checked between chunks and between layers.</param>
    /// <returns>The number of tokens encoded (after truncation).</returns>
    public int Embed(ReadOnlySpan<string> texts, Span<float> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var size = VectorDimensions;
        if (destination.Length < texts.Length * size)
        {
            throw new ArgumentException($"The destination needs {texts.Length * size} floats, it has {destination.Length}.", nameof(destination));
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
        var vector = new float[VectorDimensions];
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
        GC.SuppressFinalize(this);
    }

    // The tokenizer and encoder of a verified model directory: the one already loaded in this process, if any.
    private static SharedModel LoadShared(EncoderModel model, string directory, EncoderKernel kernel)
    {
        lock (SharedGate)
        {
            if (Shared.TryGetValue((model.ModelId, directory, kernel), out var weak) && weak.TryGetTarget(out var loaded))
            {
                return loaded;
            }

            loaded = Load(model, directory, kernel);
            Shared[(model.ModelId, directory, kernel)] = new WeakReference<SharedModel>(loaded);
            return loaded;
        }
    }

    private static SharedModel Load(EncoderModel model, string directory, EncoderKernel kernel)
    {
        var vocabularyPath = Path.Combine(directory, model.VocabFileName);
        var onnxPath = Path.Combine(directory, model.OnnxFileName);
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
            encoder = model.LoadEncoder(onnxPath, kernel, calibration);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException)
        {
            throw new ModelFileException($"The model '{onnxPath}' is not usable: {ex.Message}", onnxPath, ex);
        }

        if (encoder.Hidden != model.Dimensions || tokenizer.Vocabulary.Count != encoder.VocabSize)
        {
            throw new ModelFileException(
                $"The model '{onnxPath}' has {encoder.Hidden} dimensions and a {encoder.VocabSize}-token vocabulary; expected {model.Dimensions} and the {tokenizer.Vocabulary.Count} tokens of '{vocabularyPath}'.",
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
        var target = new Span<float>((float*)output + (nint)chunk.Start * VectorDimensions, chunk.Count * VectorDimensions);
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
