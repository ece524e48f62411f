using System.Globalization;

namespace MemoryFabric.OpenAI;

/// <summary>
/// Settings for an OpenAI-compatible endpoint: OpenAI itself, or a local server that speaks the same HTTP API
/// (Ollama, llama.cpp's server, vLLM, LM Studio, ...). Used by <see cref="OpenAICompatibleClientFactory"/>.
/// </summary>
public sealed class OpenAICompatibleOptions
{
    /// <summary>The environment variable naming the endpoint, e.g. <c>http://localhost:11434/v1</c>.</summary>
    public const string EndpointVariable = "MEMORYFABRIC_OPENAI_ENDPOINT";

    /// <summary>The environment variable holding the API key (may be unset for local servers).</summary>
    public const string ApiKeyVariable = "MEMORYFABRIC_OPENAI_API_KEY";

    /// <summary>The environment variable naming the embedding model.</summary>
    public const string EmbeddingModelVariable = "MEMORYFABRIC_OPENAI_EMBEDDING_MODEL";

    /// <summary>The environment variable naming the chat model.</summary>
    public const string ChatModelVariable = "MEMORYFABRIC_OPENAI_CHAT_MODEL";

    /// <summary>The environment variable holding the optional embedding size (a positive integer).</summary>
    public const string DimensionsVariable = "MEMORYFABRIC_OPENAI_EMBEDDING_DIMENSIONS";

    /// <summary>The default for <see cref="MaxBatchSize"/>.</summary>
    public const int DefaultMaxBatchSize = 256;

    /// <summary>OpenAI's own endpoint, the default for <see cref="Endpoint"/>.</summary>
    public static Uri DefaultEndpoint { get; } = new("https://api.openai.com/v1");

    /// <summary>
    /// The base address of the API, including its version segment (<c>.../v1</c>): the SDK appends
    /// <c>embeddings</c> and <c>chat/completions</c> to it. Must be an absolute http or https URI.
    /// </summary>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>
    /// The API key, sent as <c>Authorization: Bearer ...</c>. Null or empty sends no Authorization header, which
    /// local servers (Ollama, llama.cpp, vLLM without <c>--api-key</c>) accept.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The embedding model, e.g. <c>text-embedding-3-small</c> or <c>nomic-embed-text</c>.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>The chat model, e.g. <c>gpt-4o-mini</c> or <c>llama3.1</c>.</summary>
    public string? ChatModel { get; set; }

    /// <summary>
    /// The embedding size to request (<c>dimensions</c>), for models that can shorten their vectors; null leaves
    /// the model's own size and sends no <c>dimensions</c> field.
    /// </summary>
    public int? Dimensions { get; set; }

    /// <summary>The most inputs sent in one embeddings request; larger calls are split (default 256).</summary>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>The timeout of one HTTP request; null keeps the SDK's default (100 seconds).</summary>
    public TimeSpan? NetworkTimeout { get; set; }

    /// <summary>
    /// How many times a failed request (429, 5xx, network error) is retried with back-off; null keeps the SDK's
    /// default (3), 0 disables retries.
    /// </summary>
    public int? MaxRetries { get; set; }

    /// <summary>
    /// Reads the settings from the <c>MEMORYFABRIC_OPENAI_*</c> environment variables (<see cref="EndpointVariable"/>,
    /// <see cref="ApiKeyVariable"/>, <see cref="EmbeddingModelVariable"/>, <see cref="ChatModelVariable"/>,
    /// <see cref="DimensionsVariable"/>).
    /// </summary>
    /// <returns>
    /// The options, or null when none of the endpoint, the embedding model and the chat model is set (an API key
    /// alone configures nothing). The endpoint defaults to <see cref="DefaultEndpoint"/> when only a model is set.
    /// </returns>
    /// <exception cref="ArgumentException">A variable is set to an invalid value (endpoint, dimensions).</exception>
    public static OpenAICompatibleOptions? FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads the settings like <see cref="FromEnvironment()"/>, through a custom variable lookup.</summary>
    /// <param name="getVariable">Returns a variable's value, or null when it is not set.</param>
    /// <returns>The options, or null when none of the endpoint and the models is set.</returns>
    /// <exception cref="ArgumentException">A variable is set to an invalid value (endpoint, dimensions).</exception>
    public static OpenAICompatibleOptions? FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? Read(string name) => getVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var endpoint = Read(EndpointVariable);
        var embeddingModel = Read(EmbeddingModelVariable);
        var chatModel = Read(ChatModelVariable);
        if (endpoint is null && embeddingModel is null && chatModel is null)
        {
            return null;
        }

        var options = new OpenAICompatibleOptions
        {
            ApiKey = Read(ApiKeyVariable),
            EmbeddingModel = embeddingModel,
            ChatModel = chatModel,
        };

        if (endpoint is not null)
        {
            options.Endpoint = ParseEndpoint(endpoint, EndpointVariable);
        }

        if (Read(DimensionsVariable) is { } dimensions)
        {
            if (!int.TryParse(dimensions, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new ArgumentException(
                    $"{DimensionsVariable} must be a positive integer, not '{dimensions}'.", nameof(getVariable));
            }

            options.Dimensions = value;
        }

        return options;
    }

    /// <summary>Checks the settings shared by both clients (endpoint, dimensions, batch size, timeout, retries).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        ValidateEndpoint(Endpoint, nameof(Endpoint));
        if (Dimensions is < 1)
        {
            throw new ArgumentException($"{nameof(Dimensions)} must be positive when set, not {Dimensions}.", nameof(Dimensions));
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"{nameof(MaxBatchSize)} must be positive, not {MaxBatchSize}.", nameof(MaxBatchSize));
        }

        if (NetworkTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(NetworkTimeout)} must be positive when set, not {timeout}.", nameof(NetworkTimeout));
        }

        if (MaxRetries is < 0)
        {
            throw new ArgumentException($"{nameof(MaxRetries)} must be zero or more when set, not {MaxRetries}.", nameof(MaxRetries));
        }
    }

    /// <summary>Parses an endpoint string into an absolute http(s) URI.</summary>
    internal static Uri ParseEndpoint(string value, string source)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException(
                $"{source} must be an absolute http or https URI such as 'http://localhost:11434/v1', not '{value}'.", source);
        }

        ValidateEndpoint(uri, source);
        return uri;
    }

    private static void ValidateEndpoint(Uri? endpoint, string source)
    {
        if (endpoint is null)
        {
            throw new ArgumentException($"{source} is required: the API's base address, e.g. '{DefaultEndpoint}'.", source);
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"{source} must be an absolute http or https URI such as 'http://localhost:11434/v1', not '{endpoint.OriginalString}'.", source);
        }
    }
}
