using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Agents.Tests;

/// <summary>A memory that keeps turns per agent and answers a context request with every stored user turn that
/// shares a word with the query.</summary>
internal sealed class MemoryStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<TurnInput>> _turns = new(StringComparer.Ordinal);

    public List<(string Agent, string Query, int Budget)> ContextRequests { get; } = [];

    public IReadOnlyList<TurnInput> TurnsOf(string agent)
    {
        lock (_gate)
        {
            return _turns.TryGetValue(agent, out var list) ? [.. list] : [];
        }
    }

    public IngestResult Ingest(string agent, IEnumerable<TurnInput> turns)
    {
        lock (_gate)
        {
            if (!_turns.TryGetValue(agent, out var list))
            {
                _turns[agent] = list = [];
            }

            var stored = new List<string>();
            var duplicates = new List<string>();
            foreach (var turn in turns)
            {
                if (list.Any(t => t.Id == turn.Id))
                {
                    duplicates.Add(turn.Id!);
                    continue;
                }

                list.Add(turn);
                stored.Add(turn.Id!);
            }

            return new IngestResult(stored, duplicates);
        }
    }

    /// <summary>The context for a query, or null when the agent has no memory (the server's 404).</summary>
    public MemoryContext? Context(string agent, ContextRequest request)
    {
        lock (_gate)
        {
            ContextRequests.Add((agent, request.Query, request.TokenBudget));
            if (!_turns.TryGetValue(agent, out var list))
            {
                return null;
            }

            var words = Words(request.Query);
            var lines = list.Where(t => t.Role == TurnRole.User && Words(t.Text).Overlaps(words)).Select(t => "- " + t.Text);
            return new MemoryContext(string.Join("\n", lines), [], 0, "retrieved");
        }
    }

    private static HashSet<string> Words(string text) =>
        new(text.Split([' ', '.', ',', '?', '!'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).Select(w => w.ToLowerInvariant()));
}

/// <summary>The MemoryFabric HTTP API's context and turns routes over a <see cref="MemoryStore"/>, for the real
/// <see cref="MemoryFabricClient"/>.</summary>
internal sealed class MemoryServerHandler(MemoryStore store) : HttpMessageHandler
{
    public HttpStatusCode? FailWith { get; set; }

    public int Requests { get; private set; }

    public static MemoryFabricClient Client(MemoryStore store, out MemoryServerHandler handler)
    {
        handler = new MemoryServerHandler(store);
        return new MemoryFabricClient(
            new HttpClient(handler),
            new MemoryFabricClientOptions { Endpoint = new Uri("http://memory.test/"), ApiKey = "mfk_test", MaxRetries = 0 });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        if (FailWith is { } status)
        {
            return Problem(status);
        }

        var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var agent = Uri.UnescapeDataString(segments[2]);
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        switch (segments[3])
        {
            case "context":
                var context = store.Context(agent, JsonSerializer.Deserialize<ContextRequest>(body, MemoryFabricJson.Options)!);
                return context is null ? Problem(HttpStatusCode.NotFound) : Json(context);
            case "turns":
                var turns = JsonNode.Parse(body)!["turns"]!.Deserialize<List<TurnInput>>(MemoryFabricJson.Options)!;
                return Json(store.Ingest(agent, turns));
            default:
                return Problem(HttpStatusCode.NotFound);
        }
    }

    private static HttpResponseMessage Json<T>(T value) =>
        new(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(value, MemoryFabricJson.Options), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Problem(HttpStatusCode status) =>
        new(status) { Content = new StringContent($$"""{"title":"{{status}}","status":{{(int)status}}}""", Encoding.UTF8, "application/problem+json") };
}

/// <summary>An <see cref="IMemoryFabricClient"/> that is not the HTTP one (as the Orleans client is not): it serves
/// the two calls the provider makes straight from a <see cref="MemoryStore"/>.</summary>
public class InProcessMemoryClient : DispatchProxy
{
    internal MemoryStore Store { get; set; } = null!;

    internal static IMemoryFabricClient Create(MemoryStore store)
    {
        var client = DispatchProxy.Create<IMemoryFabricClient, InProcessMemoryClient>();
        ((InProcessMemoryClient)(object)client).Store = store;
        return client;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        ArgumentNullException.ThrowIfNull(args);
        var agent = (string)args[0]!;
        return targetMethod.Name switch
        {
            nameof(IMemoryFabricClient.GetContextAsync) => Store.Context(agent, (ContextRequest)args[1]!) is { } context
                ? Task.FromResult(context)
                : Task.FromException<MemoryContext>(new MemoryFabricApiException(
                    HttpStatusCode.NotFound, new MemoryFabricProblem { Status = 404, Title = "Not found" }, null, null, "POST", "/context")),
            nameof(IMemoryFabricClient.IngestAsync) => Task.FromResult(Store.Ingest(agent, (IEnumerable<TurnInput>)args[1]!)),
            _ => throw new NotSupportedException(targetMethod.Name),
        };
    }
}

/// <summary>A model stand-in: it records what it was sent, and answers with the memory lines it was given (or "I don't
/// know.").</summary>
internal sealed class RecallingChatClient : IChatClient
{
    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public Exception? Throw { get; set; }

    /// <summary>Everything the model saw in a call: the instructions, then the messages' text.</summary>
    public static string Seen((List<ChatMessage> Messages, ChatOptions? Options) call) =>
        string.Join("\n", new[] { call.Options?.Instructions ?? string.Empty }.Concat(call.Messages.Select(m => $"{m.Role}: {m.Text}")));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(([.. messages], options?.Clone()));
        if (Throw is not null)
        {
            throw Throw;
        }

        var remembered = (options?.Instructions ?? string.Empty).Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        var reply = remembered.Count == 0 ? "I don't know." : "I remember: " + string.Join(" ", remembered.Select(l => l[2..]));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply) { MessageId = "reply-" + Calls.Count }) { ModelId = "fake" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
