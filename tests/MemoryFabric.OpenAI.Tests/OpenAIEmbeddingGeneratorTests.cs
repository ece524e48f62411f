using System.Text.Json.Nodes;
using MemoryFabric.OpenAI.Tests.Support;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;
using EmbeddingGenerationOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;

namespace MemoryFabric.OpenAI.Tests;

public sealed class OpenAIEmbeddingGeneratorTests : IAsyncLifetime
{
    private StubOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await StubOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIEmbeddingGenerator Create(int? dimensions = null, int maxBatchSize = 256, string? apiKey = "sk-test") =>
        OpenAICompatibleClientFactory.CreateEmbeddingGenerator(new OpenAICompatibleOptions
        {
            Endpoint = _server.Endpoint,
            ApiKey = apiKey,
            EmbeddingModel = "embed-small",
            Dimensions = dimensions,
            MaxBatchSize = maxBatchSize,
            MaxRetries = 0,
        });

    [Fact]
    public async Task Embeds_inputs_in_order_with_model_and_usage()
    {
        using var generator = Create();

        var result = await generator.GenerateAsync(["hello world", "a", "three word text"]);

        Assert.Equal(3, result.Count);
        Assert.Equal(StubOpenAIServer.VectorFor("hello world", 3), result[0].Vector.ToArray());
        Assert.Equal(StubOpenAIServer.VectorFor("a", 3), result[1].Vector.ToArray());
        Assert.Equal(StubOpenAIServer.VectorFor("three word text", 3), result[2].Vector.ToArray());
        Assert.All(result, e => Assert.Equal("embed-small", e.ModelId));
        Assert.All(result, e => Assert.NotNull(e.CreatedAt));
        Assert.NotNull(result.Usage);
        Assert.Equal(6, result.Usage.InputTokenCount);
        Assert.Equal(6, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Sends_model_inputs_and_bearer_key_to_the_embeddings_path()
    {
        using var generator = Create();

        await generator.GenerateAsync(["first", "second"]);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("Bearer sk-test", request.Authorization);
        Assert.Equal("embed-small", request.Json["model"]!.GetValue<string>());
        Assert.Equal(["first", "second"], request.Json["input"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Null(request.Json["dimensions"]);
    }

    [Fact]
    public async Task Without_an_api_key_sends_no_authorization_header()
    {
        using var generator = Create(apiKey: null);

        await generator.GenerateAsync(["x"]);

        Assert.Null(Assert.Single(_server.Requests).Authorization);
    }

    [Fact]
    public async Task Passes_dimensions_through_from_the_generator_and_per_request()
    {
        using var generator = Create(dimensions: 5);

        var byDefault = await generator.GenerateAsync(["text"]);
        var overridden = await generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 2 });

        Assert.Equal(5, byDefault[0].Dimensions);
        Assert.Equal(2, overridden[0].Dimensions);
        Assert.Equal(5, _server.Requests[0].Json["dimensions"]!.GetValue<int>());
        Assert.Equal(2, _server.Requests[1].Json["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Splits_inputs_into_batches_of_the_maximum_size()
    {
        using var generator = Create(maxBatchSize: 2);
        var inputs = Enumerable.Range(0, 5).Select(i => new string('x', i + 1) + " word").ToArray();

        var result = await generator.GenerateAsync(inputs);

        Assert.Equal(
            [["x word", "xx word"], ["xxx word", "xxxx word"], ["xxxxx word"]],
            _server.Requests.Select(r => r.Json["input"]!.AsArray().Select(i => i!.GetValue<string>()).ToArray()));
        Assert.Equal(inputs.Select(i => StubOpenAIServer.VectorFor(i, 3)), result.Select(e => e.Vector.ToArray()));
        Assert.Equal(10, result.Usage!.InputTokenCount);
        Assert.Equal(10, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task No_inputs_make_no_request()
    {
        using var generator = Create();

        var result = await generator.GenerateAsync([]);

        Assert.Empty(result);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Reads_float_arrays_from_servers_that_ignore_the_encoding_format()
    {
        _server.Handler = async (context, request, _) =>
        {
            var response = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["object"] = "embedding",
                    ["index"] = 0,
                    ["embedding"] = new JsonArray(0.5f, -1.25f, 2f),
                }),
                ["model"] = "served-model",
            };
            await StubOpenAIServer.WriteAsync(context, 200, "application/json", response.ToJsonString());
            return true;
        };
        using var generator = Create();

        var result = await generator.GenerateAsync(["x"]);

        Assert.Equal([0.5f, -1.25f, 2f], result[0].Vector.ToArray());
        Assert.Equal("served-model", result[0].ModelId);
        Assert.Null(result.Usage);
    }

    [Fact]
    public async Task A_per_request_model_id_switches_the_model()
    {
        using var generator = Create();

        var result = await generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "embed-large" });

        Assert.Equal("embed-large", _server.Requests[0].Json["model"]!.GetValue<string>());
        Assert.Equal("embed-large", result[0].ModelId);
    }

    [Fact]
    public async Task A_model_bound_generator_refuses_another_model()
    {
        var client = new OpenAIClient(new System.ClientModel.ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        using var generator = client.GetEmbeddingClient("embed-small").AsMemoryFabricEmbeddingGenerator();

        var error = await Assert.ThrowsAsync<NotSupportedException>(
            () => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "other" }));
        Assert.Contains("embed-small", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Get_service_returns_metadata_and_the_underlying_clients()
    {
        using var generator = Create(dimensions: 64);

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("openai", metadata.ProviderName);
        Assert.Equal(_server.Endpoint.ToString().TrimEnd('/'), metadata.ProviderUri!.ToString().TrimEnd('/'));
        Assert.Equal("embed-small", metadata.DefaultModelId);
        Assert.Equal(64, metadata.DefaultModelDimensions);
        Assert.NotNull(generator.GetService<EmbeddingClient>());
        Assert.NotNull(generator.GetService<OpenAIClient>());
        Assert.Same(generator, generator.GetService<OpenAIEmbeddingGenerator>());
        Assert.Null(generator.GetService<EmbeddingClient>("some-key"));
    }

    [Fact]
    public async Task Extension_over_an_sdk_client_works_against_the_same_server()
    {
        var client = new OpenAIClient(new System.ClientModel.ApiKeyCredential("sk-ext"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        using var generator = client.AsMemoryFabricEmbeddingGenerator("embed-ext", dimensions: 4, maxBatchSize: 1);

        var result = await generator.GenerateAsync(["a", "b"]);

        Assert.Equal(2, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Equal("Bearer sk-ext", r.Authorization));
        Assert.All(result, e => Assert.Equal(4, e.Dimensions));
        Assert.Equal(1, generator.MaxBatchSize);
    }

    [Fact]
    public async Task A_null_input_is_rejected_before_any_request()
    {
        using var generator = Create();

        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["ok", null!]));
        Assert.Empty(_server.Requests);
    }
}
