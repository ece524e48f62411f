namespace MemoryFabric.Client;

/// <summary>What every memory middleware shares, whether it wraps an <c>IChatClient</c>
/// (<see cref="MemoryFabricChatClientOptions"/>) or an Agent Framework agent (MemoryFabric.Agents): how the context is
/// fetched and injected before a model call, and how the exchange is recorded after it.</summary>
public abstract class MemoryExchangeOptions
{
    /// <summary>The placeholder of <see cref="ContextTemplate"/> replaced by the context text.</summary>
    public const string ContextPlaceholder = "{context}";

    /// <summary>The speaker name of recorded user turns (default "user").</summary>
    public string UserSpeaker { get; set; } = "user";

    /// <summary>The speaker name of recorded assistant turns (default "assistant").</summary>
    public string AssistantSpeaker { get; set; } = "assistant";

    /// <summary>The token budget of the context fetched for each call (default 1,000; tokens are
    /// ceil(characters / 4)).</summary>
    public int TokenBudget { get; set; } = 1000;

    /// <summary>The text that carries the context to the model (a system message, or a run's instructions);
    /// <see cref="ContextPlaceholder"/> is replaced by the context. Default: <c>"Relevant memories:\n{context}"</c>.</summary>
    public string ContextTemplate { get; set; } = "Relevant memories:\n" + ContextPlaceholder;

    /// <summary>Whether to fetch the context for the latest user message and give it to the model (default
    /// <see langword="true"/>).</summary>
    public bool InjectContext { get; set; } = true;

    /// <summary>Whether to record each successful exchange (the user's message and the assistant's reply) as turns
    /// (default <see langword="true"/>).</summary>
    public bool RecordExchange { get; set; } = true;

    /// <summary>Whether a memory failure (server unreachable, error status, timeout) fails the call. By default
    /// (<see langword="false"/>) it is logged and the call goes on without context, or the exchange goes unrecorded.
    /// A 404 on the context (an agent not written yet) is never a failure.</summary>
    public bool ThrowOnMemoryErrors { get; set; }

    /// <summary>The clock of the recorded turns' timestamps (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the settings every middleware shares.</summary>
    /// <exception cref="InvalidOperationException">A value is invalid.</exception>
    protected void ValidateExchangeSettings()
    {
        if (TokenBudget < 1)
        {
            throw new InvalidOperationException($"{nameof(TokenBudget)} must be at least 1, not {TokenBudget}.");
        }

        if (string.IsNullOrWhiteSpace(UserSpeaker) || string.IsNullOrWhiteSpace(AssistantSpeaker))
        {
            throw new InvalidOperationException($"{nameof(UserSpeaker)} and {nameof(AssistantSpeaker)} must not be blank.");
        }

        if (ContextTemplate is null || !ContextTemplate.Contains(ContextPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{nameof(ContextTemplate)} must contain the placeholder {ContextPlaceholder}.");
        }

        if (TimeProvider is null)
        {
            throw new InvalidOperationException($"{nameof(TimeProvider)} must not be null.");
        }
    }

    /// <summary>The context text inside <see cref="ContextTemplate"/>.</summary>
    /// <param name="context">The context text.</param>
    /// <returns>The text to give the model.</returns>
    public string RenderContext(string context) => ContextTemplate.Replace(ContextPlaceholder, context, StringComparison.Ordinal);
}
