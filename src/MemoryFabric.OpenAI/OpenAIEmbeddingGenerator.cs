using System.Collections.Concurrent;
using global::OpenAI;
using global::OpenAI.Embeddings;
using Microsoft.Extensions.AI;
using MeaiEmbeddingOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;
using SdkEmbeddingOptions = OpenAI.Embeddings.EmbeddingGenerationOptions;

namespace MemoryFabric.OpenAI;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over an OpenAI-compatible <c>/embeddings</c> endpoint,
/// through the OpenAI SDK's <see cref="EmbeddingClient"/>. Inputs are sent in requests of at most
/// <see cref="MaxBatchSize"/> texts, one after another; the vectors come back in input order, with the usage of all
/// requests summed.
/// </summary>
/// <remarks>
/// This one is kept rather than Microsoft.Extensions.AI.OpenAI's generator
/// (<see cref="Microsoft.Extensions.AI.OpenAIClientExtensions.AsIEmbeddingGenerator(EmbeddingClient, int?)"/>), which
/// returns the vectors in the order of the response and drops each vector's <c>index</c> (a server that answers out of
/// order would give vectors to the wrong inputs), sends every input in one request, and does not check the response
/// (count, empty vectors, the requested size).
/// </remarks>
public sealed class OpenAIEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly OpenAIClient? _openAIClient;
    private readonly EmbeddingClient _embeddingClient;
    private readonly ConcurrentDictionary<string, EmbeddingClient> _otherModels = new(StringComparer.Ordinal);
    private readonly int? _dimensions;

    /// <summary>Creates a generator for a model of an SDK client; a request may then override the model.</summary>
    /// <param name="openAIClient">The SDK client.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="dimensions">The embedding size to request, or null for the model's own (no <c>dimensions</c> sent).</param>
    /// <param name="maxBatchSize">The most inputs sent in one request.</param>
    /// <exception cref="ArgumentException">The model is missing, or a size is not positive.</exception>
    public OpenAIEmbeddingGenerator(
        OpenAIClient openAIClient, string model, int? dimensions = null, int maxBatchSize = OpenAICompatibleOptions.DefaultMaxBatchSize)
        : this(GetEmbeddingClient(openAIClient, model), dimensions, maxBatchSize)
    {
        _openAIClient = openAIClient;
    }

    /// <summary>Creates a generator over a model-bound SDK embedding client.</summary>
    /// <param name="embeddingClient">The SDK embedding client.</param>
    /// <param name="dimensions">The embedding size to request, or null for the model's own (no <c>dimensions</c> sent).</param>
    /// <param name="maxBatchSize">The most inputs sent in one request.</param>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public OpenAIEmbeddingGenerator(
        EmbeddingClient embeddingClient, int? dimensions = null, int maxBatchSize = OpenAICompatibleOptions.DefaultMaxBatchSize)
    {
        ArgumentNullException.ThrowIfNull(embeddingClient);
        if (dimensions is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "The embedding size must be positive when set.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _embeddingClient = embeddingClient;
        _dimensions = dimensions;
        MaxBatchSize = maxBatchSize;
        Metadata = new EmbeddingGeneratorMetadata(
            OpenAICompatibleClientFactory.ProviderName, SdkClientInfo.EndpointOf(embeddingClient), SdkClientInfo.ModelOf(embeddingClient), dimensions);
    }

    /// <summary>The provider, endpoint, default model and requested size.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>The most inputs sent in one request.</summary>
    public int MaxBatchSize { get; }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="MeaiEmbeddingOptions.Dimensions"/> overrides the generator's size and
    /// <see cref="MeaiEmbeddingOptions.ModelId"/> its model (the latter only when created from an
    /// <see cref="OpenAIClient"/>). An HTTP error surfaces as <see cref="System.ClientModel.ClientResultException"/>; a success response
    /// that cannot be used as <see cref="OpenAICompatibleResponseException"/>.
    /// </remarks>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        MeaiEmbeddingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentException($"Input {i} is null.", nameof(values));
            }
        }

        var dimensions = options?.Dimensions ?? _dimensions;
        if (dimensions is < 1)
        {
            throw new ArgumentException($"The embedding size must be positive when set, not {dimensions}.", nameof(options));
        }

        var client = ResolveClient(options?.ModelId);
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        UsageDetails? usage = null;
        for (var start = 0; start < inputs.Count; start += MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = inputs.GetRange(start, Math.Min(MaxBatchSize, inputs.Count - start));
            var sdkOptions = new SdkEmbeddingOptions { Dimensions = dimensions };
            OpenAIEmbeddingCollection collection;
            try
            {
                var response = await client.GenerateEmbeddingsAsync(batch, sdkOptions, cancellationToken).ConfigureAwait(false);
                collection = response.Value;
            }
            catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
            {
                throw Malformed(client, ex);
            }

            var batchUsage = ReadBatch(collection, batch.Count, dimensions, client, result);
            if (batchUsage is not null)
            {
                (usage ??= new UsageDetails()).Add(batchUsage);
            }
        }

        result.Usage = usage;
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType == typeof(EmbeddingClient) ? _embeddingClient
            : serviceType == typeof(OpenAIClient) ? _openAIClient
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The SDK clients hold no disposable resources of their own.
    }

    private static EmbeddingClient GetEmbeddingClient(OpenAIClient openAIClient, string model)
    {
        ArgumentNullException.ThrowIfNull(openAIClient);
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new ArgumentException("An embedding model name is required.", nameof(model));
        }

        return openAIClient.GetEmbeddingClient(model);
    }

    private EmbeddingClient ResolveClient(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId) || string.Equals(modelId, SdkClientInfo.ModelOf(_embeddingClient), StringComparison.Ordinal))
        {
            return _embeddingClient;
        }

        if (_openAIClient is null)
        {
            throw new NotSupportedException(
                $"This generator is bound to model '{SdkClientInfo.ModelOf(_embeddingClient)}' and cannot switch to '{modelId}': create it from an OpenAIClient to allow per-request models.");
        }

        return _otherModels.GetOrAdd(modelId, static (id, client) => client.GetEmbeddingClient(id), _openAIClient);
    }

    /// <summary>Checks one response and appends its vectors, in input order; returns its usage.</summary>
    private static UsageDetails? ReadBatch(
        OpenAIEmbeddingCollection? collection,
        int expected,
        int? dimensions,
        EmbeddingClient client,
        GeneratedEmbeddings<Embedding<float>> result)
    {
        string Where() => Describe(client);
        try
        {
            if (collection is null)
            {
                throw new OpenAICompatibleResponseException($"{Where()} returned an empty response.");
            }

            if (collection.Count != expected)
            {
                throw new OpenAICompatibleResponseException(
                    $"{Where()} returned {collection.Count} embeddings for {expected} inputs.");
            }

            var vectors = new Embedding<float>[expected];
            var modelId = string.IsNullOrEmpty(collection.Model) ? SdkClientInfo.ModelOf(client) : collection.Model;
            var createdAt = DateTimeOffset.UtcNow;
            foreach (var item in collection)
            {
                if (item.Index < 0 || item.Index >= expected || vectors[item.Index] is not null)
                {
                    throw new OpenAICompatibleResponseException(
                        $"{Where()} returned an embedding with index {item.Index}, missing, out of range or repeated, for {expected} inputs.");
                }

                var vector = item.ToFloats();
                if (vector.IsEmpty)
                {
                    throw new OpenAICompatibleResponseException($"{Where()} returned an empty vector for input {item.Index}.");
                }

                if (dimensions is { } size && vector.Length != size)
                {
                    throw new OpenAICompatibleResponseException(
                        $"{Where()} returned a vector of {vector.Length} dimensions where {size} were requested; the model or server may not support 'dimensions'.");
                }

                vectors[item.Index] = new Embedding<float>(vector) { ModelId = modelId, CreatedAt = createdAt };
            }

            result.AddRange(vectors);
            return collection.Usage is { } usage
                ? new UsageDetails { InputTokenCount = usage.InputTokenCount, TotalTokenCount = usage.TotalTokenCount }
                : null;
        }
        catch (Exception ex) when (OpenAICompatibleResponseException.IsParseError(ex))
        {
            throw Malformed(client, ex);
        }
    }

    private static string Describe(EmbeddingClient client) => $"The embeddings endpoint at {SdkClientInfo.EndpointOf(client)} (model '{SdkClientInfo.ModelOf(client)}')";

    private static OpenAICompatibleResponseException Malformed(EmbeddingClient client, Exception ex) =>
        new($"{Describe(client)} returned a malformed response: {ex.Message}", ex);
}
