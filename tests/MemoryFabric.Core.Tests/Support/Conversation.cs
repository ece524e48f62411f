using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Segmentation;

namespace MemoryFabric.Core.Tests.Support;

/// <summary>Builders for turns, episodes and conversations used across the tests.</summary>
public static class Talk
{
    /// <summary>8 May 2023, 13:00 UTC: the date of the first LoCoMo-like session.</summary>
    public static readonly DateTimeOffset May8 = new(2023, 5, 8, 13, 0, 0, TimeSpan.Zero);

    public static TurnInput Input(string? id, string speaker, string text, DateTimeOffset timestamp, string session = "s1") => new()
    {
        Id = id,
        SessionId = session,
        Speaker = speaker,
        Text = text,
        Timestamp = timestamp,
    };

    public static Turn Turn(string id, string speaker, string text, DateTimeOffset timestamp, long sequence = 0, string session = "s1") =>
        new(id, session, speaker, TurnRole.User, text, timestamp, sequence, new Dictionary<string, string>());

    /// <summary>Builds the episode of a run of turns, as consolidation would.</summary>
    public static Episode Episode(IReadOnlyList<Turn> turns) =>
        EpisodeBuilder.Build(new EpisodeSegment(turns, "session-start"), new Dictionary<string, int>(), turns.Count);

    /// <summary>The extraction context of a run of turns forming one episode.</summary>
    public static NoteExtractionContext Context(IReadOnlyList<Turn> turns, params string[] participants) =>
        new(Episode(turns), turns, participants.Length > 0 ? participants : turns.Select(t => t.Speaker).Distinct().ToList());

    /// <summary>
    /// A small Caroline/Melanie session on 8 May 2023 (one turn a minute): a support group "yesterday", a dog adopted
    /// "last week", and filler turns so that the verbatim history is about 1,100 characters.
    /// </summary>
    public static IReadOnlyList<TurnInput> SmallSession(string session = "s1", string prefix = "D1:")
    {
        string[][] lines =
        [
            ["Caroline", "I went to the LGBTQ support group yesterday and it was so powerful."],
            ["Melanie", "That's wonderful! I adopted a dog last week, a beagle named Oscar."],
            ["Caroline", "The weather has been rainy all week here."],
            ["Melanie", "I watched a documentary about whales on television."],
            ["Caroline", "Our neighbours repainted their fence a bright yellow color."],
            ["Melanie", "The grocery store near us started selling fresh bagels."],
            ["Caroline", "My phone battery keeps dying in the afternoon."],
            ["Melanie", "Traffic downtown was terrible because of roadworks."],
            ["Caroline", "I finally fixed the squeaky hinge on the kitchen cupboard."],
            ["Melanie", "The library extended its opening hours on weekdays."],
            ["Caroline", "A new bakery opened across from the train station."],
            ["Melanie", "My sister sent me a postcard from her trip to the coast."],
            ["Caroline", "The city installed new benches along the river path."],
            ["Melanie", "I reorganized the bookshelves in the spare bedroom."],
            ["Caroline", "Somebody left a lost umbrella on the bus this morning."],
        ];
        return lines.Select((l, i) => Input(prefix + (i + 1), l[0], l[1], May8.AddMinutes(i), session)).ToList();
    }

    /// <summary>
    /// A generated conversation: <paramref name="sessions"/> sessions a week apart, <paramref name="turnsPerSession"/>
    /// turns each, alternating speakers, each turn one or two sentences drawn (seeded) from a pool of statements.
    /// </summary>
    public static IReadOnlyList<TurnInput> Generated(int sessions, int turnsPerSession, int seed = 7)
    {
        string[] subjects = ["pottery", "the dog", "camping", "the new job", "the garden", "painting", "the marathon", "the book club", "the bakery", "the concert", "the trip to Paris", "the support group"];
        string[] templates =
        [
            "I went to {0} yesterday and it was great.",
            "We talked about {0} for hours last week.",
            "My sister keeps asking me about {0}.",
            "I'm planning to spend more time on {0} next month.",
            "Honestly, {0} has been the highlight of my spring.",
            "Did you ever think about {0}?",
            "I bought some supplies for {0} downtown.",
            "Wow, that's cool!",
            "The kids were excited about {0} this morning.",
            "I read an article about {0} on the train.",
            "Caroline told me that {0} changed her perspective.",
            "Melanie said {0} reminded her of her childhood.",
        ];
        var random = new Random(seed);
        var result = new List<TurnInput>(sessions * turnsPerSession);
        for (var s = 0; s < sessions; s++)
        {
            var start = May8.AddDays(7 * s);
            for (var t = 0; t < turnsPerSession; t++)
            {
                var count = 1 + random.Next(2);
                var text = string.Join(' ', Enumerable.Range(0, count).Select(_ =>
                    string.Format(System.Globalization.CultureInfo.InvariantCulture, templates[random.Next(templates.Length)], subjects[random.Next(subjects.Length)])));
                result.Add(Input($"S{s + 1}:{t + 1}", t % 2 == 0 ? "Caroline" : "Melanie", text, start.AddMinutes(t), "session-" + (s + 1)));
            }
        }

        return result;
    }
}
