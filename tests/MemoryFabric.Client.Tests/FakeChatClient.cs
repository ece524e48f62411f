using Microsoft.Extensions.AI;

namespace MemoryFabric.Client.Tests;

/// <summary>A model stand-in that records what it was sent and answers with fixed text.</summary>
internal sealed class FakeChatClient : IChatClient
{
    public List<List<ChatMessage>> Calls { get; } = [];

    public List<ChatOptions?> Options { get; } = [];

    public string Reply { get; set; } = "Pottery, mostly.";

    public string[] StreamedChunks { get; set; } = ["Pot", "tery, ", "mostly."];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add([.. messages]);
        Options.Add(options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply) { MessageId = "msg_reply" }) { ModelId = "fake-model" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add([.. messages]);
        Options.Add(options);
        foreach (var chunk in StreamedChunks)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { MessageId = "msg_stream" };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
