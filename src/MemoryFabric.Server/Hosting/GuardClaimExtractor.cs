using MemoryFabric.Guard;
using MemoryFabric.OpenAI;

namespace MemoryFabric.Server.Hosting;

/// <summary>Chooses how the guard derives claims (<see cref="MemoryFabricServerOptions.GuardClaims"/>).</summary>
internal static class GuardClaimExtractor
{
    /// <summary>The extractor for a setting: none for <c>rules</c> (the guard's built-in rules), a
    /// <see cref="ChatClientClaimExtractor"/> over the OpenAI-compatible chat model for <c>chat</c>.</summary>
    /// <param name="setting">rules or chat.</param>
    /// <returns>The extractor, or <see langword="null"/> for the rules.</returns>
    /// <exception cref="InvalidOperationException">An unknown setting, or chat without a chat model configured.</exception>
    public static IClaimExtractor? Create(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting) || string.Equals(setting, "rules", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!string.Equals(setting, "chat", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"MemoryFabric:GuardClaims is '{setting}'; use 'rules' or 'chat'.");
        }

        var options = OpenAICompatibleOptions.FromEnvironment();
        if (options?.ChatModel is null)
        {
            throw new InvalidOperationException(
                $"MemoryFabric:GuardClaims=chat needs {OpenAICompatibleOptions.ChatModelVariable} (and {OpenAICompatibleOptions.EndpointVariable} " +
                $"for a server other than api.openai.com, {OpenAICompatibleOptions.ApiKeyVariable} when it wants a key).");
        }

        return new ChatClientClaimExtractor(OpenAICompatibleClientFactory.CreateChatClient(options));
    }
}
