using System.ClientModel;
using MemoryFabric.OpenAI.Tests.Support;
using OpenAI;

namespace MemoryFabric.OpenAI.Tests;

public sealed class OpenAICompatibleOptionsTests
{
    private static Func<string, string?> Variables(params (string Name, string? Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void From_environment_is_null_when_nothing_is_set()
    {
        Assert.Null(OpenAICompatibleOptions.FromEnvironment(Variables()));
    }

    [Fact]
    public void From_environment_is_null_with_only_a_key_or_blank_values()
    {
        Assert.Null(OpenAICompatibleOptions.FromEnvironment(Variables(
            (OpenAICompatibleOptions.ApiKeyVariable, "sk-only"),
            (OpenAICompatibleOptions.EndpointVariable, "  "),
            (OpenAICompatibleOptions.EmbeddingModelVariable, ""))));
    }

    [Fact]
    public void From_environment_reads_every_setting()
    {
        var options = OpenAICompatibleOptions.FromEnvironment(Variables(
            (OpenAICompatibleOptions.EndpointVariable, " http://localhost:11434/v1 "),
            (OpenAICompatibleOptions.ApiKeyVariable, "sk-env"),
            (OpenAICompatibleOptions.EmbeddingModelVariable, "nomic-embed-text"),
            (OpenAICompatibleOptions.ChatModelVariable, "llama3.1"),
            (OpenAICompatibleOptions.DimensionsVariable, "256")));

        Assert.NotNull(options);
        Assert.Equal(new Uri("http://localhost:11434/v1"), options.Endpoint);
        Assert.Equal("sk-env", options.ApiKey);
        Assert.Equal("nomic-embed-text", options.EmbeddingModel);
        Assert.Equal("llama3.1", options.ChatModel);
        Assert.Equal(256, options.Dimensions);
        Assert.Equal(OpenAICompatibleOptions.DefaultMaxBatchSize, options.MaxBatchSize);
    }

    [Fact]
    public void From_environment_with_only_a_model_uses_the_default_endpoint_and_no_key()
    {
        var options = OpenAICompatibleOptions.FromEnvironment(Variables((OpenAICompatibleOptions.ChatModelVariable, "gpt-4o-mini")));

        Assert.NotNull(options);
        Assert.Equal(new Uri("https://api.openai.com/v1"), options.Endpoint);
        Assert.Null(options.ApiKey);
        Assert.Null(options.EmbeddingModel);
        Assert.Equal("gpt-4o-mini", options.ChatModel);
    }

    [Theory]
    [InlineData("localhost:11434/v1")]
    [InlineData("/v1")]
    [InlineData("ftp://example.com/v1")]
    [InlineData("not a uri")]
    public void From_environment_rejects_an_invalid_endpoint_naming_the_variable(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => OpenAICompatibleOptions.FromEnvironment(Variables(
            (OpenAICompatibleOptions.EndpointVariable, endpoint))));

        Assert.Contains(OpenAICompatibleOptions.EndpointVariable, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("many")]
    public void From_environment_rejects_invalid_dimensions(string dimensions)
    {
        var error = Assert.Throws<ArgumentException>(() => OpenAICompatibleOptions.FromEnvironment(Variables(
            (OpenAICompatibleOptions.EmbeddingModelVariable, "m"),
            (OpenAICompatibleOptions.DimensionsVariable, dimensions))));

        Assert.Contains(OpenAICompatibleOptions.DimensionsVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_environment_reads_the_process_environment()
    {
        string[] names =
        [
            OpenAICompatibleOptions.EndpointVariable, OpenAICompatibleOptions.ApiKeyVariable,
            OpenAICompatibleOptions.EmbeddingModelVariable, OpenAICompatibleOptions.ChatModelVariable,
            OpenAICompatibleOptions.DimensionsVariable,
        ];
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in names)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Assert.Null(OpenAICompatibleOptions.FromEnvironment());

            Environment.SetEnvironmentVariable(OpenAICompatibleOptions.EndpointVariable, "http://127.0.0.1:8080/v1");
            Environment.SetEnvironmentVariable(OpenAICompatibleOptions.EmbeddingModelVariable, "env-embed");
            var options = OpenAICompatibleOptions.FromEnvironment();

            Assert.NotNull(options);
            Assert.Equal(new Uri("http://127.0.0.1:8080/v1"), options.Endpoint);
            Assert.Equal("env-embed", options.EmbeddingModel);
            Assert.Null(options.ChatModel);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public void The_factory_requires_the_model_it_creates_a_client_for()
    {
        var options = new OpenAICompatibleOptions { ChatModel = "chat" };
        var embeddingError = Assert.Throws<ArgumentException>(() => OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options));
        Assert.Contains(OpenAICompatibleOptions.EmbeddingModelVariable, embeddingError.Message, StringComparison.Ordinal);

        options = new OpenAICompatibleOptions { EmbeddingModel = "embed" };
        var chatError = Assert.Throws<ArgumentException>(() => OpenAICompatibleClientFactory.CreateChatClient(options));
        Assert.Contains(OpenAICompatibleOptions.ChatModelVariable, chatError.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<OpenAICompatibleOptions>> InvalidSettings => new()
    {
        { "Endpoint", o => o.Endpoint = new Uri("ftp://example.com/v1") },
        { "Endpoint", o => o.Endpoint = new Uri("/v1", UriKind.Relative) },
        { "Endpoint", o => o.Endpoint = null! },
        { "Dimensions", o => o.Dimensions = 0 },
        { "MaxBatchSize", o => o.MaxBatchSize = 0 },
        { "NetworkTimeout", o => o.NetworkTimeout = TimeSpan.Zero },
        { "MaxRetries", o => o.MaxRetries = -1 },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void The_factory_rejects_invalid_settings_naming_them(string setting, Action<OpenAICompatibleOptions> spoil)
    {
        var options = new OpenAICompatibleOptions { EmbeddingModel = "embed", ChatModel = "chat" };
        spoil(options);

        var error = Assert.Throws<ArgumentException>(() => OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options));
        Assert.Equal(setting, error.ParamName);
        Assert.Throws<ArgumentException>(() => OpenAICompatibleClientFactory.CreateChatClient(options));
    }

    [Fact]
    public void The_adapters_reject_missing_models_and_sizes()
    {
        var client = new OpenAIClient(new ApiKeyCredential("k"));

        Assert.Throws<ArgumentException>(() => client.AsMemoryFabricEmbeddingGenerator(" "));
        Assert.Throws<ArgumentException>(() => client.AsMemoryFabricChatClient(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.AsMemoryFabricEmbeddingGenerator("m", dimensions: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.AsMemoryFabricEmbeddingGenerator("m", maxBatchSize: 0));
    }

    [Fact]
    public async Task An_endpoint_with_a_trailing_slash_reaches_the_same_paths()
    {
        await using var server = await StubOpenAIServer.StartAsync();
        var options = new OpenAICompatibleOptions
        {
            Endpoint = new Uri(server.Endpoint + "/"),
            EmbeddingModel = "embed",
            ChatModel = "chat",
            MaxRetries = 0,
        };
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options);
        using var client = OpenAICompatibleClientFactory.CreateChatClient(options);

        await generator.GenerateAsync(["x"]);
        await Microsoft.Extensions.AI.ChatClientExtensions.GetResponseAsync(client, "hi");

        Assert.Equal(["/v1/embeddings", "/v1/chat/completions"], server.Requests.Select(r => r.Path));
    }
}
