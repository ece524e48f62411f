using System.ClientModel;
using MemoryFabric.OpenAI.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace MemoryFabric.OpenAI.Tests;

public sealed class OpenAIErrorTests : IAsyncLifetime
{
    private StubOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await StubOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAICompatibleOptions Options(int maxRetries = 0, TimeSpan? timeout = null) => new()
    {
        Endpoint = _server.Endpoint,
        ApiKey = "sk-wrong",
        EmbeddingModel = "embed",
        ChatModel = "chat",
        MaxRetries = maxRetries,
        NetworkTimeout = timeout,
    };

    private void AnswerWithError(int status, string message) =>
        _server.Handler = async (context, _, _) =>
        {
            await StubOpenAIServer.WriteErrorAsync(context, status, message);
            return true;
        };

    private void AnswerWith(string contentType, string body) =>
        _server.Handler = async (context, _, _) =>
        {
            await StubOpenAIServer.WriteAsync(context, 200, contentType, body);
            return true;
        };

    private static async Task DrainAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var _ in updates)
        {
        }
    }

    [Fact]
    public async Task An_unauthorized_embedding_request_surfaces_status_and_server_message()
    {
        AnswerWithError(401, "Incorrect API key provided: sk-wrong.");
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => generator.GenerateAsync(["x"]));

        Assert.Equal(401, error.Status);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided: sk-wrong.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_on_chat_surfaces_status_and_server_message()
    {
        AnswerWithError(500, "The model crashed while loading.");
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(500, error.Status);
        Assert.Contains("500", error.Message, StringComparison.Ordinal);
        Assert.Contains("The model crashed while loading.", error.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_server_error_on_a_stream_surfaces_status_and_server_message()
    {
        AnswerWithError(500, "Streaming is broken.");
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => DrainAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Equal(500, error.Status);
        Assert.Contains("Streaming is broken.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transient_server_error_is_retried_when_retries_are_allowed()
    {
        _server.Handler = async (context, _, number) =>
        {
            if (number > 1)
            {
                return false;
            }

            await StubOpenAIServer.WriteErrorAsync(context, 503, "Warming up.");
            return true;
        };
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options(maxRetries: 1));

        var result = await generator.GenerateAsync(["x"]);

        Assert.Single(result);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_non_json_embeddings_response_gives_a_clear_exception()
    {
        AnswerWith("text/html", "<html>proxy login</html>");
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => generator.GenerateAsync(["x"]));

        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
        Assert.Contains(_server.Endpoint.Authority, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task Fewer_embeddings_than_inputs_give_a_clear_exception()
    {
        AnswerWith("application/json", """{"object":"list","model":"embed","data":[{"object":"embedding","index":0,"embedding":[1.0,2.0]}]}""");
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => generator.GenerateAsync(["a", "b"]));

        Assert.Contains("1 embeddings for 2 inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_embeddings_response_without_data_gives_a_clear_exception()
    {
        AnswerWith("application/json", """{"object":"list","model":"embed"}""");
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());

        await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => generator.GenerateAsync(["a"]));
    }

    [Fact]
    public async Task Vectors_of_another_size_than_requested_give_a_clear_exception()
    {
        AnswerWith("application/json", """{"object":"list","model":"embed","data":[{"object":"embedding","index":0,"embedding":[1.0,2.0,3.0]}]}""");
        var options = Options();
        options.Dimensions = 8;
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(options);

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => generator.GenerateAsync(["a"]));

        Assert.Contains("3 dimensions where 8 were requested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_json_chat_response_gives_a_clear_exception()
    {
        AnswerWith("text/plain", "upstream timed out");
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("chat endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_response_without_choices_gives_a_clear_exception()
    {
        AnswerWith("application/json", """{"id":"x","object":"chat.completion","created":1,"model":"chat"}""");
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("chat endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_stream_event_gives_a_clear_exception()
    {
        AnswerWith("text/event-stream", "data: {not json\n\ndata: [DONE]\n\n");
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());

        var error = await Assert.ThrowsAsync<OpenAICompatibleResponseException>(() => DrainAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_an_embedding_request_in_flight_throws_operation_canceled()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Handler = async (context, _, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return true;
        };
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());
        using var cts = new CancellationTokenSource();

        var call = generator.GenerateAsync(["x"], cancellationToken: cts.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Cancelling_a_chat_stream_in_flight_throws_operation_canceled()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Handler = async (context, _, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(
                """data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"chat","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""" + "\n\n",
                context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return true;
        };
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());
        using var cts = new CancellationTokenSource();
        var texts = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token))
            {
                texts.Add(update.Text);
                await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await cts.CancelAsync();
            }
        });
        Assert.Equal(["Hel"], texts);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        using var generator = OpenAICompatibleClientFactory.CreateEmbeddingGenerator(Options());
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["x"], cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_server_slower_than_the_network_timeout_fails()
    {
        _server.Handler = async (context, _, _) =>
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return true;
        };
        using var client = OpenAICompatibleClientFactory.CreateChatClient(Options(timeout: TimeSpan.FromMilliseconds(300)));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi"));

        Assert.Contains("timeout", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
