using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Client;

/// <summary>Puts <see cref="MemoryFabricChatClient"/> in front of an <see cref="IChatClient"/>.</summary>
public static class MemoryFabricChatClientExtensions
{
    /// <summary>Wraps <paramref name="innerClient"/> in a <see cref="MemoryFabricChatClient"/>: memories in, exchanges
    /// recorded.</summary>
    /// <remarks>
    /// <para><c>ChatClientBuilder</c> lives in the Microsoft.Extensions.AI package, not in
    /// Microsoft.Extensions.AI.Abstractions which this library depends on, so this is an extension of
    /// <see cref="IChatClient"/>. In a builder pipeline pass it to <c>Use</c>:</para>
    /// <code>
    /// IChatClient chat = innerClient.AsBuilder()
    ///     .Use(inner => inner.UseMemoryFabric(memory, o => o.AgentName = "bob"))
    ///     .UseFunctionInvocation()
    ///     .Build();
    /// </code>
    /// <para>or, with services: <c>.Use((inner, services) => inner.UseMemoryFabric(services.GetRequiredService&lt;IMemoryFabricClient&gt;(), o => ...,
    /// services.GetService&lt;ILoggerFactory&gt;()))</c>.</para>
    /// </remarks>
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
