using System.Text.Json;
using System.Text.Json.Nodes;
using MemoryFabric.OpenAI.Tests.Support;
using Microsoft.Extensions.AI;
using OpenAI;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using SdkChatClient = OpenAI.Chat.ChatClient;

namespace MemoryFabric.OpenAI.Tests;

public sealed class OpenAIChatClientTests : IAsyncLifetime
{
    private StubOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await StubOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIChatClient Create(string? apiKey = "sk-chat") =>
        OpenAICompatibleClientFactory.CreateChatClient(new OpenAICompatibleOptions
        {
            Endpoint = _server.Endpoint,
            ApiKey = apiKey,
            ChatModel = "chat-small",
            MaxRetries = 0,
        });

    [Fact]
    public async Task Maps_the_completion_back_to_a_chat_response()
    {
        using var client = Create();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello there")]);

        Assert.Equal(StubOpenAIServer.ReplyTo("hello there"), response.Text);
        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(StubOpenAIServer.CompletionId, response.ResponseId);
        Assert.Equal("chat-small", response.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(StubOpenAIServer.Created), response.CreatedAt);
        Assert.NotNull(response.Usage);
        Assert.Equal(StubOpenAIServer.ChatUsage.Prompt, response.Usage.InputTokenCount);
        Assert.Equal(StubOpenAIServer.ChatUsage.Completion, response.Usage.OutputTokenCount);
        Assert.Equal(StubOpenAIServer.ChatUsage.Total, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Sends_messages_with_their_roles_and_the_bearer_key()
    {
        using var client = Create();
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You extract notes."),
            new(ChatRole.User, "I adopted a dog.") { AuthorName = "Melanie" },
            new(ChatRole.Assistant, "Noted."),
            new(ChatRole.User, "Anything else?"),
        ];

        await client.GetResponseAsync(messages);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-chat", request.Authorization);
        Assert.Equal("chat-small", request.Json["model"]!.GetValue<string>());
        var sent = request.Json["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], sent.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(
            ["You extract notes.", "I adopted a dog.", "Noted.", "Anything else?"],
            sent.Select(m => m!["content"]!.GetValue<string>()));
        Assert.Equal("Melanie", sent[1]!["name"]!.GetValue<string>());
        Assert.Null(request.Json["stream"]);
        Assert.Null(request.Json["tools"]);
    }

    [Fact]
    public async Task Maps_chat_options_into_the_request()
    {
        using var client = Create();
        var options = new ChatOptions
        {
            Temperature = 0.25f,
            TopP = 0.5f,
            MaxOutputTokens = 123,
            StopSequences = ["\n\n", "END"],
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            Seed = 42,
            ResponseFormat = ChatResponseFormat.Json,
            Instructions = "Answer in JSON.",
        };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options);

        var json = Assert.Single(_server.Requests).Json;
        Assert.Equal(0.25f, json["temperature"]!.GetValue<float>());
        Assert.Equal(0.5f, json["top_p"]!.GetValue<float>());
        Assert.Equal(123, json["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(["\n\n", "END"], json["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(0.1f, json["frequency_penalty"]!.GetValue<float>());
        Assert.Equal(0.2f, json["presence_penalty"]!.GetValue<float>());
        Assert.Equal(42, json["seed"]!.GetValue<long>());
        Assert.Equal("json_object", json["response_format"]!["type"]!.GetValue<string>());
        var first = json["messages"]![0]!;
        Assert.Equal("system", first["role"]!.GetValue<string>());
        Assert.Equal("Answer in JSON.", first["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sends_no_optional_fields_when_options_are_absent()
    {
        using var client = Create();

        await client.GetResponseAsync("hi");

        var json = Assert.Single(_server.Requests).Json.AsObject();
        Assert.Equal(["messages", "model"], json.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_json_schema_response_format_is_sent_as_json_schema()
    {
        using var client = Create();
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"notes":{"type":"array"}}}""");

        await client.GetResponseAsync("hi", new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement, "notes", "Extracted notes"),
        });

        var format = Assert.Single(_server.Requests).Json["response_format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.Equal("notes", format["json_schema"]!["name"]!.GetValue<string>());
        Assert.Equal("object", format["json_schema"]!["schema"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_text_response_format_is_sent_as_text()
    {
        using var client = Create();

        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Text });

        Assert.Equal("text", Assert.Single(_server.Requests).Json["response_format"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_per_request_model_id_overrides_the_model()
    {
        using var client = Create();

        var response = await client.GetResponseAsync("hi", new ChatOptions { ModelId = "chat-large" });

        Assert.Equal("chat-large", Assert.Single(_server.Requests).Json["model"]!.GetValue<string>());
        Assert.Equal("chat-large", response.ModelId);
    }

    [Fact]
    public async Task Tools_are_sent_as_function_definitions_through_Microsoft_Extensions_AI_OpenAI()
    {
        using var client = Create();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather", "The weather in a city.")] };

        await client.GetResponseAsync("Weather in Lisbon?", options);

        var tool = Assert.Single(Assert.Single(_server.Requests).Json["tools"]!.AsArray())!;
        Assert.Equal("function", tool["type"]!.GetValue<string>());
        Assert.Equal("weather", tool["function"]!["name"]!.GetValue<string>());
        Assert.Equal("The weather in a city.", tool["function"]!["description"]!.GetValue<string>());
        Assert.NotNull(tool["function"]!["parameters"]!["properties"]!["city"]);
    }

    [Fact]
    public async Task Tool_results_are_sent_as_tool_messages_after_the_assistant_call()
    {
        using var client = Create();
        ChatMessage[] messages =
        [
            new(ChatRole.User, "What is the answer?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "answer", new Dictionary<string, object?> { ["q"] = "life" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "42")]),
            new(ChatRole.User, "And so?"),
        ];

        await client.GetResponseAsync(messages);

        var sent = Assert.Single(_server.Requests).Json["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "user"], sent.Select(m => m!["role"]!.GetValue<string>()));
        var call = sent[1]!["tool_calls"]![0]!;
        Assert.Equal("call-1", call["id"]!.GetValue<string>());
        Assert.Equal("answer", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("life", JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["q"]!.GetValue<string>());
        Assert.Equal("call-1", sent[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("42", sent[2]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_message_without_a_call_id_is_rejected()
    {
        using var client = Create();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q"), new ChatMessage(ChatRole.Tool, "plain text")]));
        Assert.Equal("messages", error.ParamName);
        Assert.Contains("Message 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_are_sent_as_image_parts()
    {
        using var client = Create();

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2 }, "image/png")])]);

        var parts = Assert.Single(_server.Requests).Json["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(["text", "image_url"], parts.Select(p => p!["type"]!.GetValue<string>()));
        Assert.StartsWith("data:image/png;base64,", parts[1]!["image_url"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_roles_and_empty_requests_are_rejected_before_any_request()
    {
        using var client = Create();

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(
            [new ChatMessage(new ChatRole("narrator"), "Once upon a time")]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([]));
        Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync([null!]));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Get_service_returns_metadata_and_the_underlying_clients()
    {
        using var client = Create();

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("openai", metadata.ProviderName);
        Assert.Equal(_server.Endpoint.ToString().TrimEnd('/'), metadata.ProviderUri!.ToString().TrimEnd('/'));
        Assert.Equal("chat-small", metadata.DefaultModelId);
        Assert.NotNull(client.GetService<SdkChatClient>());
        Assert.NotNull(client.GetService<OpenAIClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
    }

    [Fact]
    public async Task A_model_bound_sdk_client_adapts_and_refuses_another_model()
    {
        var sdk = new SdkChatClient("bound-model", new System.ClientModel.ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = _server.Endpoint });
        using var client = sdk.AsMemoryFabricChatClient();

        var response = await client.GetResponseAsync("ping");

        Assert.Equal(StubOpenAIServer.ReplyTo("ping"), response.Text);
        Assert.Equal("bound-model", client.Metadata.DefaultModelId);
        Assert.Null(client.GetService<OpenAIClient>());
        await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("x", new ChatOptions { ModelId = "other" }));
    }
}
