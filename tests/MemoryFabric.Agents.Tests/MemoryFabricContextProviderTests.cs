using System.Net;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Agents.Tests;

public sealed class MemoryFabricContextProviderTests
{
    private static ChatClientAgent Agent(IChatClient chat, MemoryFabricContextProvider provider) =>
        new(chat, new ChatClientAgentOptions
        {
            Name = "helper",
            ChatOptions = new ChatOptions { Instructions = "You are a helpful assistant." },
            AIContextProviders = [provider],
        });

    public static TheoryData<string> Transports => ["http", "in-process"];

    private static IMemoryFabricClient Memory(string transport, MemoryStore store) =>
        transport == "http" ? MemoryServerHandler.Client(store, out _) : InProcessMemoryClient.Create(store);

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task What_is_said_in_one_session_is_recalled_in_another(string transport)
    {
        var store = new MemoryStore();
        var chat = new RecallingChatClient();
        var agent = Agent(chat, new MemoryFabricContextProvider(Memory(transport, store), new() { AgentName = "caroline" }));

        var first = await agent.CreateSessionAsync();
        await agent.RunAsync("My dog is called Biscuit.", first);
        var second = await agent.CreateSessionAsync();
        var answer = await agent.RunAsync("What is my dog called?", second);

        Assert.Equal("I remember: My dog is called Biscuit.", answer.Text);
        var seen = RecallingChatClient.Seen(chat.Calls[1]);
        Assert.Contains("You are a helpful assistant.", seen, StringComparison.Ordinal);
        Assert.Contains("Relevant memories:\n- My dog is called Biscuit.", seen, StringComparison.Ordinal);
        // The second session's own history holds nothing of the first: the recall came from MemoryFabric.
        Assert.DoesNotContain(chat.Calls[1].Messages, m => m.Text.Contains("Biscuit", StringComparison.Ordinal));
        Assert.Equal([("caroline", "My dog is called Biscuit.", 1000), ("caroline", "What is my dog called?", 1000)], store.ContextRequests);
    }

    [Fact]
    public async Task Each_run_records_the_user_message_and_the_reply_under_the_session_id_of_its_session()
    {
        var store = new MemoryStore();
        var provider = new MemoryFabricContextProvider(MemoryServerHandler.Client(store, out _), new() { AgentName = "bob", UserSpeaker = "Bob", AssistantSpeaker = "Helper" });
        var agent = Agent(new RecallingChatClient(), provider);

        var first = await agent.CreateSessionAsync();
        await agent.RunAsync("I moved to Lisbon last spring.", first);
        await agent.RunAsync("What about Lisbon?", first);
        var second = await agent.CreateSessionAsync();
        await agent.RunAsync("Hello again.", second);

        var turns = store.TurnsOf("bob");
        Assert.Equal(
            ["I moved to Lisbon last spring.", "I don't know.", "What about Lisbon?", "I remember: I moved to Lisbon last spring.", "Hello again.", "I don't know."],
            turns.Select(t => t.Text));
        Assert.Equal([TurnRole.User, TurnRole.Assistant, TurnRole.User, TurnRole.Assistant, TurnRole.User, TurnRole.Assistant], turns.Select(t => t.Role));
        Assert.Equal(["Bob", "Helper"], turns.Select(t => t.Speaker).Distinct());
        Assert.Equal(provider.GetSessionId(first), turns[0].SessionId);
        Assert.All(turns.Take(4), t => Assert.Equal(turns[0].SessionId, t.SessionId));
        Assert.Equal(provider.GetSessionId(second), turns[4].SessionId);
        Assert.NotEqual(turns[0].SessionId, turns[4].SessionId);
        Assert.Equal("helper", turns[1].Metadata!["agentName"]);
    }

    [Fact]
    public async Task The_context_is_not_recorded_and_stays_out_of_the_chat_history()
    {
        var store = new MemoryStore();
        store.Ingest("ann", [new TurnInput { Id = "t1", SessionId = "old", Speaker = "user", Role = TurnRole.User, Text = "My favourite colour is green.", Timestamp = DateTimeOffset.UnixEpoch }]);
        var chat = new RecallingChatClient();
        var agent = Agent(chat, new MemoryFabricContextProvider(InProcessMemoryClient.Create(store), new() { AgentName = "ann" }));
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("What is my favourite colour?", session);
        await agent.RunAsync("Thanks!", session);

        Assert.All(chat.Calls[1].Messages, m => Assert.DoesNotContain("Relevant memories", m.Text, StringComparison.Ordinal));
        Assert.DoesNotContain(store.TurnsOf("ann"), t => t.Text.Contains("Relevant memories", StringComparison.Ordinal));
        // The history of the session is sent again, but recorded once.
        Assert.Equal(1, store.TurnsOf("ann").Count(t => t.Text == "What is my favourite colour?"));
    }

    [Fact]
    public async Task An_agent_without_memory_yet_runs_without_context()
    {
        var store = new MemoryStore();
        var chat = new RecallingChatClient();
        var agent = Agent(chat, new MemoryFabricContextProvider(MemoryServerHandler.Client(store, out _), new() { AgentName = "new-agent" }));

        var answer = await agent.RunAsync("Do you know me?", await agent.CreateSessionAsync());

        Assert.Equal("I don't know.", answer.Text);
        Assert.DoesNotContain("Relevant memories", RecallingChatClient.Seen(chat.Calls[0]), StringComparison.Ordinal);
        Assert.Equal(2, store.TurnsOf("new-agent").Count);
    }

    [Fact]
    public async Task A_memory_failure_is_tolerated_by_default_and_thrown_when_asked()
    {
        var store = new MemoryStore();
        var memory = MemoryServerHandler.Client(store, out var handler);
        handler.FailWith = HttpStatusCode.InternalServerError;

        var tolerant = Agent(new RecallingChatClient(), new MemoryFabricContextProvider(memory, new() { AgentName = "bob" }));
        var answer = await tolerant.RunAsync("Hi there, friend.", await tolerant.CreateSessionAsync());
        Assert.Equal("I don't know.", answer.Text);
        Assert.Equal(2, handler.Requests); // the context lookup and the recording were both tried

        var strict = Agent(new RecallingChatClient(), new MemoryFabricContextProvider(memory, new() { AgentName = "bob", ThrowOnMemoryErrors = true }));
        var error = await Assert.ThrowsAsync<MemoryFabricApiException>(async () => await strict.RunAsync("Hi there, friend.", await strict.CreateSessionAsync()));
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }

    [Fact]
    public async Task A_failed_run_records_nothing()
    {
        var store = new MemoryStore();
        var chat = new RecallingChatClient { Throw = new InvalidOperationException("model down") };
        var agent = Agent(chat, new MemoryFabricContextProvider(InProcessMemoryClient.Create(store), new() { AgentName = "bob" }));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await agent.RunAsync("Remember this please.", await agent.CreateSessionAsync()));

        Assert.Empty(store.TurnsOf("bob"));
    }

    [Fact]
    public async Task Policies_switch_context_and_recording_off_and_the_selectors_choose_agent_and_session()
    {
        var store = new MemoryStore();
        var memory = InProcessMemoryClient.Create(store);
        var readOnly = Agent(new RecallingChatClient(), new MemoryFabricContextProvider(memory, new() { AgentName = "bob", RecordExchange = false }));
        await readOnly.RunAsync("Nothing to keep here.", await readOnly.CreateSessionAsync());
        Assert.Empty(store.TurnsOf("bob"));
        Assert.Single(store.ContextRequests);

        var writeOnly = Agent(new RecallingChatClient(), new MemoryFabricContextProvider(memory, new()
        {
            InjectContext = false,
            AgentSelector = (agent, _) => "user-of-" + agent.Name,
            SessionSelector = _ => "fixed-session",
        }));
        await writeOnly.RunAsync("Keep this one.", await writeOnly.CreateSessionAsync());
        Assert.Single(store.ContextRequests);
        Assert.All(store.TurnsOf("user-of-helper"), t => Assert.Equal("fixed-session", t.SessionId));
        Assert.Equal(2, store.TurnsOf("user-of-helper").Count);
    }

    [Fact]
    public async Task The_session_id_is_kept_in_the_session_state_and_survives_serialization()
    {
        var provider = new MemoryFabricContextProvider(InProcessMemoryClient.Create(new MemoryStore()), new() { AgentName = "bob" });
        var agent = Agent(new RecallingChatClient(), provider);
        var session = await agent.CreateSessionAsync();
        var id = provider.GetSessionId(session);

        var restored = await agent.DeserializeSessionAsync(await agent.SerializeSessionAsync(session));

        Assert.StartsWith("agent-session-", id, StringComparison.Ordinal);
        Assert.Equal(id, provider.GetSessionId(session));
        Assert.Equal(id, provider.GetSessionId(restored));
        Assert.NotEqual(id, provider.GetSessionId(await agent.CreateSessionAsync()));
    }

    [Fact]
    public void Invalid_options_are_rejected_and_the_client_is_exposed()
    {
        var memory = InProcessMemoryClient.Create(new MemoryStore());
        Assert.Throws<InvalidOperationException>(() => new MemoryFabricContextProvider(memory, new()));
        Assert.Throws<InvalidOperationException>(() => new MemoryFabricContextProvider(memory, new() { AgentName = "a", TokenBudget = 0 }));
        Assert.Throws<InvalidOperationException>(() => new MemoryFabricContextProvider(memory, new() { AgentName = "a", ContextTemplate = "no placeholder" }));

        var provider = new MemoryFabricContextProvider(memory, new() { AgentName = "a" });
        Assert.Same(memory, provider.GetService<IMemoryFabricClient>());
        Assert.Same(provider, provider.GetService<MemoryFabricContextProvider>());
    }
}
