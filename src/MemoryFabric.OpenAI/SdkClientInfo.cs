using global::OpenAI.Chat;
using global::OpenAI.Embeddings;

namespace MemoryFabric.OpenAI;

/// <summary>
/// Reads the model and endpoint of the SDK's model-bound clients. OpenAI 2.15 exposes them publicly but marks them
/// for evaluation (OPENAI001); this is the one place that uses them, so that an SDK upgrade that changes them breaks
/// here only.
/// </summary>
internal static class SdkClientInfo
{
#pragma warning disable OPENAI001 // Model and Endpoint are marked for evaluation in OpenAI 2.15 (see the summary).
    public static string ModelOf(ChatClient client) => client.Model;

    public static Uri EndpointOf(ChatClient client) => client.Endpoint;

    public static string ModelOf(EmbeddingClient client) => client.Model;

    public static Uri EndpointOf(EmbeddingClient client) => client.Endpoint;
#pragma warning restore OPENAI001
}
