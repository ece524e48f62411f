using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Extraction.Chat;

/// <summary>A fake chat model that answers with queued replies and records what it was asked.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<string> _replies;

    public ScriptedChatClient(params string[] replies) => _replies = new Queue<string>(replies);

    /// <summary>The messages of every request, copied at the time of the call.</summary>
    public List<List<ChatMessage>> Requests { get; } = [];

    /// <summary>The options of every request.</summary>
    public List<ChatOptions?> Options { get; } = [];

    /// <summary>Runs inside each call, before the token is checked (to simulate cancellation mid-request).</summary>
    public Action? OnRequest { get; set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests.Add(messages.ToList());
        Options.Add(options);
        OnRequest?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        if (_replies.Count == 0)
        {
            throw new InvalidOperationException("The script has no more replies.");
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, _replies.Dequeue())));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
