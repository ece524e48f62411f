using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Client;

/// <summary>Puts <see cref="MemoryFabricChatClient"/> in a chat pipeline: <see cref="UseMemoryFabric(ChatClientBuilder, IMemoryFabricClient?, Action{MemoryFabricChatClientOptions}?)"/>
/// on a <see cref="ChatClientBuilder"/> (the primary way), or <see cref="UseMemoryFabric(IChatClient, IMemoryFabricClient, Action{MemoryFabricChatClientOptions}?, ILoggerFactory?)"/>
/// on a bare <see cref="IChatClient"/>.</summary>
public static class MemoryFabricChatClientExtensions
{
    /// <summary>Adds a <see cref="MemoryFabricChatClient"/> to the pipeline: memories in, exchanges recorded.</summary>
    /// <remarks>
    /// <para>Place it before <c>UseFunctionInvocation()</c> so that it sees the user's request and the final answer:</para>
    /// <code>
    /// IChatClient chat = innerClient.AsBuilder()
    ///     .UseMemoryFabric(memory, o => o.AgentName = "bob")
    ///     .UseFunctionInvocation()
    ///     .Build(services);
    /// </code>
    /// <para>When <paramref name="memory"/> is <see langword="null"/> the <see cref="IMemoryFabricClient"/> is taken from
    /// the services given to <see cref="ChatClientBuilder.Build(IServiceProvider?)"/> (the HTTP client of
    /// <c>AddMemoryFabricClient</c>, or the Orleans client); the <see cref="ILoggerFactory"/> of those services, if any,
    /// logs tolerated memory failures.</para>
    /// </remarks>
    /// <param name="builder">The chat pipeline.</param>
    /// <param name="memory">The MemoryFabric client, or <see langword="null"/> to resolve it from the services.</param>
    /// <param name="configure">Sets the agent (required: <see cref="MemoryFabricChatClientOptions.AgentName"/> or
    /// <see cref="MemoryFabricChatClientOptions.AgentSelector"/>), the session and the policies.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">At build time: no agent is configured, or no
    /// <see cref="IMemoryFabricClient"/> was given nor registered.</exception>
    public static ChatClientBuilder UseMemoryFabric(
        this ChatClientBuilder builder,
        IMemoryFabricClient? memory = null,
        Action<MemoryFabricChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var client = memory ?? services.GetService<IMemoryFabricClient>()
                ?? throw new InvalidOperationException(
                    $"UseMemoryFabric needs an {nameof(IMemoryFabricClient)}: pass one, or register it (AddMemoryFabricClient) in the services given to Build.");
            return inner.UseMemoryFabric(client, configure, services.GetService<ILoggerFactory>());
        });
    }

    /// <summary>Wraps <paramref name="innerClient"/> in a <see cref="MemoryFabricChatClient"/>: memories in, exchanges
    /// recorded.</summary>
    /// <remarks>Sugar for a client outside a pipeline; in a <see cref="ChatClientBuilder"/> use
    /// <see cref="UseMemoryFabric(ChatClientBuilder, IMemoryFabricClient?, Action{MemoryFabricChatClientOptions}?)"/>.</remarks>
    /// <param name="innerClient">The client that talks to the model.</param>
    /// <param name="memory">The MemoryFabric client.</param>
    /// <param name="configure">Sets the agent (required: <see cref="MemoryFabricChatClientOptions.AgentName"/> or
    /// <see cref="MemoryFabricChatClientOptions.AgentSelector"/>), the session and the policies.</param>
    /// <param name="loggerFactory">Creates the logger of tolerated memory failures; none when <see langword="null"/>.</param>
    /// <returns>The memory-enabled client.</returns>
    /// <exception cref="InvalidOperationException">No agent is configured.</exception>
    public static IChatClient UseMemoryFabric(
        this IChatClient innerClient,
        IMemoryFabricClient memory,
        Action<MemoryFabricChatClientOptions>? configure = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(innerClient);
        ArgumentNullException.ThrowIfNull(memory);
        var options = new MemoryFabricChatClientOptions();
        configure?.Invoke(options);
        return new MemoryFabricChatClient(innerClient, memory, options, loggerFactory?.CreateLogger<MemoryFabricChatClient>());
    }
}
