using MemoryFabric.Conversation;

namespace MemoryFabric.Orleans.Tests.Support;

internal static class Turns
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<TurnInput> Conversation(int count, string session = "s1", int offset = 0) =>
        Enumerable.Range(offset, count).Select(i => new TurnInput
        {
            Id = $"{session}-t{i}",
            SessionId = session,
            Speaker = i % 2 == 0 ? "user" : "assistant",
            Role = i % 2 == 0 ? TurnRole.User : TurnRole.Assistant,
            Text = i % 2 == 0 ? $"Turn {i}: my favourite colour is teal and I live in Lisbon (fact {i})." : $"Turn {i}: noted, teal and Lisbon.",
            Timestamp = Start.AddMinutes(i),
        }).ToList();
}
