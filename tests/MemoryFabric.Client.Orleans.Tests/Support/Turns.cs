using MemoryFabric.Conversation;

namespace MemoryFabric.Client.Orleans.Tests.Support;

internal static class Turns
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static TurnInput One(string id, string text, string speaker = "Alice", TurnRole role = TurnRole.User, int minute = 0, string session = "s1") => new()
    {
        Id = id,
        SessionId = session,
        Speaker = speaker,
        Role = role,
        Text = text,
        Timestamp = Start.AddMinutes(minute),
    };

    public static TurnInput Tool(string id, string text, int minute = 0) => One(id, text, "web-search", TurnRole.Tool, minute);

    /// <summary>An agent name no other test uses.</summary>
    public static string Agent(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];
}
