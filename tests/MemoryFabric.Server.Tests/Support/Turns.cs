namespace MemoryFabric.Server.Tests.Support;

/// <summary>Builds turn payloads.</summary>
public static class Turns
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);

    public static object One(string id, string text, string speaker = "Alice", string session = "s1", int minute = 0) => new
    {
        id,
        sessionId = session,
        speaker,
        role = "user",
        text,
        timestamp = Start.AddMinutes(minute),
    };

    public static object Batch(params object[] turns) => new { turns };

    public static object[] Conversation(string prefix, int count, string session = "s1") =>
        Enumerable.Range(0, count).Select(i => One($"{prefix}-{i}", Sentences[i % Sentences.Length] + $" ({prefix} #{i})", i % 2 == 0 ? "Alice" : "Bob", session, i)).ToArray();

    private static readonly string[] Sentences =
    [
        "I moved to Lisbon last spring and I love the light there.",
        "Did you find a good place to climb near the river?",
        "My sister Maria is visiting in June with her two kids.",
        "I started learning the cello in January, it is harder than guitar.",
        "We adopted a grey cat called Pixel from the shelter.",
        "The bakery on our street makes the best custard tarts.",
        "I'm planning a trip to Japan in October to see the temples.",
        "Work has been busy, we ship the new app next week.",
    ];
}
