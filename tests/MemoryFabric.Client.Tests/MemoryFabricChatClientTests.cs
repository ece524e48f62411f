using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Client.Tests;

public sealed class MemoryFabricChatClientTests
{
    private const string ContextText = "[8 May 2023]\n- Melanie loves pottery.";

    private static StubHandler MemoryServer(
        HttpStatusCode contextStatus = HttpStatusCode.OK,
        HttpStatusCode ingestStatus = HttpStatusCode.OK,
        string contextText = ContextText) => new(r =>
    {
        if (r.RawPath.EndsWith("/context", StringComparison.Ordinal))
        {
            return contextStatus == HttpStatusCode.OK
                ? StubHandler.Json(new JsonObject { ["text"] = contextText, ["items"] = new JsonArray(), ["tokens"] = 10, ["mode"] = "retrieved" }.ToJsonString())
                : StubHandler.Problem(contextStatus, contextStatus.ToString());
        }

        if (r.RawPath.EndsWith("/turns", StringComparison.Ordinal))
        {
            return ingestStatus == HttpStatusCode.OK
                ? StubHandler.Json("""{"storedTurnIds":[],"duplicateTurnIds":[]}""")
                : StubHandler.Problem(ingestStatus, ingestStatus.ToString());
        }

        return StubHandler.Problem(HttpStatusCode.NotFound, "Not Found");
    });

    private static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, "You are a helpful assistant."),
        new(ChatRole.User, "Hi, I'm Caroline."),
        new(ChatRole.Assistant, "Hello Caroline!"),
        new(ChatRole.User, "What does Melanie like?"),
    ];

    private static RecordedRequest ContextRequest(StubHandler memory) =>
        Assert.Single(memory.Requests, r => r.RawPath.EndsWith("/context", StringComparison.Ordinal));

    private static JsonArray RecordedTurns(StubHandler memory) =>
        Assert.Single(memory.Requests, r => r.RawPath.EndsWith("/turns", StringComparison.Ordinal)).Json["turns"]!.AsArray();

    [Fact]
    public async Task The_context_goes_in_a_system_message_ahead_of_a_copy_of_the_messages()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "caroline@home";
            o.TokenBudget = 250;
            o.ContextTemplate = "What you remember:\n{context}\n(end)";
        });
        var messages = Conversation();
        var snapshot = messages.ToList();

        var response = await chat.GetResponseAsync(messages);

        Assert.Equal("Pottery, mostly.", response.Text);
        Assert.Equal(snapshot, messages);
        var sent = Assert.Single(inner.Calls);
        Assert.Equal(messages.Count + 1, sent.Count);
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.Equal("What you remember:\n" + ContextText + "\n(end)", sent[0].Text);
        Assert.Equal(messages, sent.Skip(1));

        var context = ContextRequest(memory);
        Assert.Equal("/v1/agents/caroline%40home/context", context.RawPath);
        Assert.Equal("What does Melanie like?", (string?)context.Json["query"]);
        Assert.Equal(250, (int)context.Json["tokenBudget"]!);
    }

    [Fact]
    public async Task The_exchange_is_recorded_as_two_turns_with_speakers_roles_and_session()
    {
        var memory = MemoryServer();
        var clock = new InstantTimeProvider();
        var chat = new FakeChatClient().UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "bob";
            o.SessionId = "session-42";
            o.UserSpeaker = "Caroline";
            o.AssistantSpeaker = "Ava";
            o.TimeProvider = clock;
        });

        await chat.GetResponseAsync(Conversation());

        var turns = RecordedTurns(memory);
        Assert.Equal(2, turns.Count);
        Assert.Equal(["Caroline", "Ava"], turns.Select(t => (string?)t!["speaker"]));
        Assert.Equal(["user", "assistant"], turns.Select(t => (string?)t!["role"]));
        Assert.Equal(["session-42", "session-42"], turns.Select(t => (string?)t!["sessionId"]));
        Assert.Equal(["What does Melanie like?", "Pottery, mostly."], turns.Select(t => (string?)t!["text"]));
        Assert.Equal("msg_reply", (string?)turns[1]!["id"]);
        Assert.StartsWith("chat-", (string?)turns[0]!["id"], StringComparison.Ordinal);
        Assert.Equal("fake-model", (string?)turns[1]!["metadata"]!["modelId"]);
        Assert.All(turns, t => Assert.Equal(clock.Now, DateTimeOffset.Parse((string)t!["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("/v1/agents/bob/turns", memory.Requests[^1].RawPath);
    }

    [Fact]
    public async Task The_session_defaults_to_the_conversation_id_and_selectors_win()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();
        var byDefault = inner.UseMemoryFabric(TestClients.Create(memory), o => o.AgentName = "bob");
        var selected = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "ignored";
            o.AgentSelector = (_, options) => (string)options!.AdditionalProperties!["user"]!;
            o.SessionSelector = (messages, _) => "s-" + messages.Count();
        });
        var chatOptions = new ChatOptions { ConversationId = "conv_1", AdditionalProperties = new() { ["user"] = "alice" } };

        await byDefault.GetResponseAsync(Conversation(), chatOptions);
        await selected.GetResponseAsync(Conversation(), chatOptions);

        var ingests = memory.Requests.Where(r => r.RawPath.EndsWith("/turns", StringComparison.Ordinal)).ToList();
        Assert.Equal("/v1/agents/bob/turns", ingests[0].RawPath);
        Assert.Equal("conv_1", (string?)ingests[0].Json["turns"]![0]!["sessionId"]);
        Assert.Equal("/v1/agents/alice/turns", ingests[1].RawPath);
        Assert.Equal("s-4", (string?)ingests[1].Json["turns"]![0]!["sessionId"]);
        Assert.Same(chatOptions, inner.Options[0]);
    }

    [Fact]
    public async Task Streaming_fetches_context_first_passes_updates_through_and_records_the_concatenated_text()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "bob";
            o.SessionId = "s";
        });
        var messages = Conversation();

        var chunks = new List<string>();
        await foreach (var update in chat.GetStreamingResponseAsync(messages))
        {
            _ = ContextRequest(memory); // fetched before the first update
            chunks.Add(update.Text);
        }

        Assert.Equal(inner.StreamedChunks, chunks);
        Assert.Equal(ChatRole.System, inner.Calls[0][0].Role);
        Assert.Equal(4, messages.Count);
        var turns = RecordedTurns(memory);
        Assert.Equal(["What does Melanie like?", "Pottery, mostly."], turns.Select(t => (string?)t!["text"]));
        Assert.Equal("msg_stream", (string?)turns[1]!["id"]);
    }

    [Fact]
    public async Task An_abandoned_stream_records_nothing()
    {
        var memory = MemoryServer();
        var chat = new FakeChatClient().UseMemoryFabric(TestClients.Create(memory), o => o.AgentName = "bob");

        await foreach (var update in chat.GetStreamingResponseAsync(Conversation()))
        {
            break;
        }

        Assert.DoesNotContain(memory.Requests, r => r.RawPath.EndsWith("/turns", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_memory_failure_is_logged_and_tolerated_by_default()
    {
        var memory = MemoryServer(HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable);
        var inner = new FakeChatClient();
        var logger = new ListLogger();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logger));
        var chat = inner.UseMemoryFabric(TestClients.Create(memory, o => o.MaxRetries = 0), o => o.AgentName = "bob", factory);
        var messages = Conversation();

        var response = await chat.GetResponseAsync(messages);

        Assert.Equal("Pottery, mostly.", response.Text);
        Assert.Equal(messages, inner.Calls[0]);
        Assert.Equal(2, logger.Warnings.Count);
        Assert.Contains("could not be fetched", logger.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("could not record", logger.Warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_memory_server_is_tolerated_by_default()
    {
        var unreachable = new StubHandler((_, _, _) => throw new HttpRequestException("Connection refused"));
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(unreachable), o => o.AgentName = "bob");

        var response = await chat.GetResponseAsync(Conversation());
        await foreach (var _ in chat.GetStreamingResponseAsync(Conversation()))
        {
        }

        Assert.Equal("Pottery, mostly.", response.Text);
        Assert.Equal(2, inner.Calls.Count);
    }

    [Fact]
    public async Task A_memory_failure_throws_when_configured()
    {
        var memory = MemoryServer(HttpStatusCode.InternalServerError);
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "bob";
            o.ThrowOnMemoryErrors = true;
        });

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => chat.GetResponseAsync(Conversation()));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Empty(inner.Calls);

        var recordFails = new FakeChatClient().UseMemoryFabric(TestClients.Create(MemoryServer(ingestStatus: HttpStatusCode.BadRequest)), o =>
        {
            o.AgentName = "bob";
            o.ThrowOnMemoryErrors = true;
        });
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => recordFails.GetResponseAsync(Conversation()));
    }

    [Fact]
    public async Task A_new_agent_without_memory_gets_no_context_even_when_errors_throw()
    {
        var memory = MemoryServer(HttpStatusCode.NotFound);
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "newcomer";
            o.ThrowOnMemoryErrors = true;
        });
        var messages = Conversation();

        await chat.GetResponseAsync(messages);

        Assert.Equal(messages, inner.Calls[0]);
        Assert.Equal(2, RecordedTurns(memory).Count);
    }

    [Fact]
    public async Task A_call_continuing_after_tool_results_does_not_record_the_user_turn_again()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o => o.AgentName = "bob");
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "What's the weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "weather")]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        await chat.GetResponseAsync(messages);

        Assert.Equal("What's the weather?", (string?)ContextRequest(memory).Json["query"]);
        var turn = Assert.Single(RecordedTurns(memory));
        Assert.Equal("assistant", (string?)turn!["role"]);
    }

    [Fact]
    public async Task Context_injection_and_recording_can_be_turned_off()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();
        var chat = inner.UseMemoryFabric(TestClients.Create(memory), o =>
        {
            o.AgentName = "bob";
            o.InjectContext = false;
            o.RecordExchange = false;
        });
        var messages = Conversation();

        await chat.GetResponseAsync(messages);

        Assert.Equal(messages, inner.Calls[0]);
        Assert.Empty(memory.Requests);
    }

    [Fact]
    public void Options_without_an_agent_are_rejected_and_services_are_exposed()
    {
        var memory = TestClients.Create(MemoryServer());
        var inner = new FakeChatClient();

        var e = Assert.Throws<InvalidOperationException>(() => inner.UseMemoryFabric(memory));
        Assert.Contains("AgentName", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => inner.UseMemoryFabric(memory, o =>
        {
            o.AgentName = "bob";
            o.ContextTemplate = "no placeholder";
        }));

        var chat = inner.UseMemoryFabric(memory, o => o.AgentName = "bob");
        Assert.Same(memory, chat.GetService<IMemoryFabricClient>());
        Assert.Same(chat, chat.GetService<MemoryFabricChatClient>());
        Assert.Same(inner, chat.GetService<FakeChatClient>());
    }

    private sealed class ListLogger : ILoggerProvider, ILogger
    {
        public List<string> Warnings { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
