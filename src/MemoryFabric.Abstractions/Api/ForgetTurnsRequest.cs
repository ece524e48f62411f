namespace MemoryFabric.Api;

/// <summary>The body of <c>POST /v1/agents/{agent}/turns/forget</c>.</summary>
/// <param name="TurnIds">The turns to forget: 1 to <see cref="Conversation.TurnForgetResult.MaxTurnIds"/> ids.</param>
public sealed record ForgetTurnsRequest(IReadOnlyList<string> TurnIds);
