using MemoryFabric.OpenAI.Tests.Support;
using Microsoft.Extensions.AI;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MemoryFabric.OpenAI.Tests;

public sealed class OpenAIChatStreamingTests : IAsyncLifetime
{
    private StubOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await StubOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIChatClient Create() =>
        OpenAICompatibleClientFactory.CreateChatClient(new OpenAICompatibleOptions
        {
            Endpoint = _server.Endpoint,
            ChatModel = "chat-stream",
            MaxRetries = 0,
        });

    private static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    [Fact]
    public async Task Streams_updates_that_concatenate_to_the_full_text()
    {
        using var client = Create();
        const string question = "tell me about the support group";

        var updates = await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, question)]));

        var expected = StubOpenAIServer.ReplyTo(question);
        Assert.Equal(expected, string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) >= StubOpenAIServer.Pieces(expected).Count());
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.All(updates, u => Assert.Equal(StubOpenAIServer.CompletionId, u.ResponseId));
        Assert.All(updates, u => Assert.Equal("chat-stream", u.ModelId));
        Assert.All(updates, u => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(StubOpenAIServer.Created), u.CreatedAt));
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Streamed_updates_combine_into_a_response_with_finish_reason_and_usage()
    {
        using var client = Create();

        var response = await client.GetStreamingResponseAsync("hello stream").ToChatResponseAsync();

        Assert.Equal(StubOpenAIServer.ReplyTo("hello stream"), response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(StubOpenAIServer.CompletionId, response.ResponseId);
        Assert.NotNull(response.Usage);
        Assert.Equal(StubOpenAIServer.ChatUsage.Prompt, response.Usage.InputTokenCount);
        Assert.Equal(StubOpenAIServer.ChatUsage.Completion, response.Usage.OutputTokenCount);
        Assert.Equal(StubOpenAIServer.ChatUsage.Total, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Sends_stream_true_with_the_mapped_options()
    {
        using var client = Create();

        await CollectAsync(client.GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "hi")],
            new ChatOptions { Temperature = 0, ResponseFormat = ChatResponseFormat.Json }));

        var request = Assert.Single(_server.Requests);
        Assert.True(request.Json["stream"]!.GetValue<bool>());
        Assert.Equal(0f, request.Json["temperature"]!.GetValue<float>());
        Assert.Equal("json_object", request.Json["response_format"]!["type"]!.GetValue<string>());
        Assert.Equal(["system", "user"], request.Json["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()));
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task Nothing_is_sent_until_the_stream_is_enumerated()
    {
        using var client = Create();

        var updates = client.GetStreamingResponseAsync("later");
        Assert.Empty(_server.Requests);

        await CollectAsync(updates);
        Assert.Single(_server.Requests);
    }
}
