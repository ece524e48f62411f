// A Microsoft Agent Framework agent with MemoryFabric long-term memory: MemoryFabricContextProvider adds the memories
// relevant to each user message to the run's instructions and records every exchange. What is said in one session
// is recalled in the next.
//
//   dotnet run --project samples/AgentFramework
//
// Memory: a co-hosted localhost Orleans silo with in-memory storage (the Orleans client SDK), or a running server
// through the HTTP client when MEMORYFABRIC_URL (and MEMORYFABRIC_API_KEY) are set: the provider takes either
// IMemoryFabricClient. Model: an OpenAI-compatible endpoint when MEMORYFABRIC_OPENAI_CHAT_MODEL (and
// MEMORYFABRIC_OPENAI_ENDPOINT / _API_KEY) are set, otherwise a stand-in that answers with the memories it was given.
using MemoryFabric.Agents;
using MemoryFabric.Client;
using MemoryFabric.Client.Orleans;
using MemoryFabric.OpenAI;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
var url = Environment.GetEnvironmentVariable("MEMORYFABRIC_URL");
if (string.IsNullOrWhiteSpace(url))
{
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering()
        .AddMemoryFabric(o => o.UseInMemoryProviders = true)
        .AddMemoryFabricClient("demo"));
}
else
{
    builder.Services.AddMemoryFabricClient(o =>
    {
        o.Endpoint = new Uri(url);
        o.ApiKey = Environment.GetEnvironmentVariable("MEMORYFABRIC_API_KEY");
    });
}

using var host = builder.Build();
await host.StartAsync();
var memory = host.Services.GetRequiredService<IMemoryFabricClient>();

var openAI = OpenAICompatibleOptions.FromEnvironment();
using IChatClient model = openAI?.ChatModel is not null
    ? OpenAICompatibleClientFactory.CreateChatClient(openAI)
    : new MemoryEchoChatClient();

AIAgent agent = model.AsAIAgent(new ChatClientAgentOptions
{
    Name = "Helper",
    ChatOptions = new ChatOptions { Instructions = "You are a friendly assistant. Use what you remember about the user." },
    AIContextProviders = [new MemoryFabricContextProvider(memory, new() { AgentName = "priya", UserSpeaker = "Priya" })],
});

async Task Say(AgentSession session, string text)
{
    Console.WriteLine($"Priya:  {text}");
    Console.WriteLine($"Helper: {(await agent.RunAsync(text, session)).Text}");
}

Console.WriteLine("-- session 1");
var first = await agent.CreateSessionAsync();
await Say(first, "Hi! I just moved from Lisbon to Berlin for a new job.");
await Say(first, "I'm vegetarian, and I prefer tea over coffee.");

Console.WriteLine("-- session 2 (a new session: no shared chat history, only MemoryFabric)");
var second = await agent.CreateSessionAsync();
await Say(second, "Can you suggest a drink and a dinner for me in Berlin?");

await host.StopAsync();

/// <summary>A stand-in model for running without one: it answers with the memories in its instructions.</summary>
internal sealed class MemoryEchoChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var instructions = options?.Instructions ?? string.Empty;
        var at = instructions.IndexOf("Relevant memories:", StringComparison.Ordinal);
        var reply = at < 0
            ? "Noted! (stand-in model: nothing remembered yet)"
            : "From what I remember:\n" + instructions[(at + "Relevant memories:".Length)..].Trim();
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
