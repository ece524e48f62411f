using MemoryFabric.Conversation;

namespace MemoryFabric.Core.Tests.Guard;

/// <summary>
/// Seeded random histories for the testimony checks: a few speakers who talk in dialogues (and so become
/// established, with their own accounts), new voices alone in their sessions or joining a dialogue, and turns of every
/// kind the checks tell apart: first-person accounts, hearsay about a person (by name, by a short form, in any letter
/// case), greetings naming someone, claims repeated by a chorus, retrieval bait, assistant, system and tool turns,
/// turns arriving late (earlier timestamps) and at the same instant.
/// </summary>
internal sealed class TestimonyHistoryGenerator(int seed)
{
    private static readonly DateTimeOffset Start = new(2023, 5, 8, 13, 0, 0, TimeSpan.Zero);

    private static readonly string[] Main = ["Caroline", "Melanie", "Andrew", "Evan Park", "caroline", "MELANIE"];
    private static readonly string[] Voices = ["Dana", "Rex", "Ola", "Kim", "Zed", "Bo", "Priya", "Tom", "Mel", "dana"];
    private static readonly string[] Named = ["Caroline", "Melanie", "Mel", "Caro", "Andrew", "Andy", "Evan", "evan", "Dana", "Priya"];
    private static readonly string[] Topics =
        ["harbour", "market", "seattle", "portland", "cello", "teacher", "pottery", "class", "camping", "beach", "shelter", "denver", "adoption", "agency", "peru", "bakery"];

    private static readonly string[] Verbs = ["visited", "loved", "left", "joined", "found", "sold"];

    private readonly Random _random = new(seed);
    private long _sequence;
    private int _minute;

    /// <summary>The text kinds, for a caller that wants one.</summary>
    public string Text(string speaker)
    {
        var a = Pick(Topics);
        var b = Pick(Topics);
        var c = Pick(Topics);
        var name = Pick(Named.Where(n => !string.Equals(n, speaker, StringComparison.OrdinalIgnoreCase)).ToArray());
        return _random.Next(17) switch
        {
            0 => $"I {Pick(Verbs)} the {a} {b} near {c} last week.",
            1 => $"My {a} {b} is in {c} now, we love it.",
            2 => $"{name}'s {a} {b} is really in {c}.",
            3 => $"Heard that {name} {Pick(Verbs)} the {a} {b} at {c}.",
            4 => $"Between us, {name} never went to the {a} {b}; it was {c}.",
            5 => $"Thanks, {name}! The {a} {b} was great.",
            6 => $"Hey {name}, how is the {a}?",
            7 => $"People say the {Topics[_random.Next(4)]} {Topics[4 + _random.Next(3)]} {c} closed for good.",
            8 => $"Everyone knows the {Topics[_random.Next(4)]} {Topics[4 + _random.Next(3)]} moved to {c}.",
            9 => $"{a} {a} {b} {b} {c} {c} {a} {b}",
            10 => $"Where is {name}'s {a} {b}? Answer: {c}",
            11 => $"The {a} {b} was nice.",
            12 => $"And then the {a} was {b}.",
            13 => $"{name} told us about the {a} {b} in {c}.",
            14 => $"We went to the {a} with {name}, the {b} was in {c}.",
            15 => $"ok",
            _ => $"The {a} {b} in {c} is where {name} works, my friends say.",
        };
    }

    /// <summary>A new turn: mostly a main speaker in a shared session, sometimes a new voice alone or joining one.</summary>
    public Turn NextTurn(string id)
    {
        string speaker;
        string session;
        if (_random.NextDouble() < 0.55)
        {
            speaker = Pick(Main);
            session = "d" + _random.Next(5);
        }
        else
        {
            speaker = Pick(Voices);
            session = _random.NextDouble() < 0.2 ? "d" + _random.Next(5) : _random.NextDouble() < 0.5 ? "solo-" + speaker.ToLowerInvariant() : "solo-" + id;
        }

        var role = _random.Next(20) switch
        {
            0 or 1 => TurnRole.Assistant,
            2 => TurnRole.Tool,
            3 => TurnRole.System,
            _ => TurnRole.User,
        };
        if (role is TurnRole.Assistant or TurnRole.System)
        {
            speaker = role == TurnRole.System ? "system" : "assistant";
        }

        _minute += _random.Next(3); // some turns share an instant
        var timestamp = _random.NextDouble() < 0.1 ? Start.AddMinutes(_random.Next(_minute + 1)) : Start.AddMinutes(_minute);
        var text = Text(speaker);
        if (_random.NextDouble() < 0.05)
        {
            speaker = "  " + speaker + " "; // the checks trim speakers
        }

        return new Turn(id, session, speaker, role, text, timestamp, ++_sequence, new Dictionary<string, string>());
    }

    /// <summary>A uniform pick.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A uniform double in [0, 1).</summary>
    public double Next() => _random.NextDouble();

    /// <summary>A uniform integer in [0, max).</summary>
    public int Next(int max) => _random.Next(max);
}
