using System.ClientModel.Primitives;

namespace MemoryFabric.OpenAI;

/// <summary>
/// An authentication policy that adds nothing: for local OpenAI-compatible servers that need no API key, so that no
/// <c>Authorization</c> header with a made-up key is sent.
/// </summary>
internal sealed class NoAuthenticationPolicy : AuthenticationPolicy
{
    /// <summary>The shared instance.</summary>
    public static NoAuthenticationPolicy Instance { get; } = new();

    /// <inheritdoc />
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNext(message, pipeline, currentIndex);

    /// <inheritdoc />
    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNextAsync(message, pipeline, currentIndex);
}
