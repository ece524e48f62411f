using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>The texts of <c>memfab bench http</c>: LoCoMo's turns and questions when the dataset is present, otherwise
/// synthetic everyday conversations with questions about them. Each agent reads the turns as one endless stream that
/// starts at its own conversation (and continues into the next ones), so its texts are realistic and mostly distinct;
/// its queries are the questions of that conversation.</summary>
internal sealed class HttpWorkload
{
    private readonly WorkloadTurn[] _stream;
    private readonly int[] _conversationStart;
    private readonly string[][] _queries;
    private readonly long[] _next;
    private readonly TimeSpan _cycleShift;

    private HttpWorkload(string source, List<WorkloadConversation> conversations, int streams)
    {
        Source = source;
        _stream = [.. conversations.SelectMany(c => c.Turns)];
        _conversationStart = new int[conversations.Count];
        var offset = 0;
        for (var i = 0; i < conversations.Count; i++)
        {
            _conversationStart[i] = offset;
            offset += conversations[i].Turns.Count;
        }

        _queries = [.. conversations.Select(c => c.Questions.Count > 0 ? c.Questions.ToArray() : Phrases(c.Turns))];
        _next = new long[streams];
        var first = _stream.Min(t => t.Timestamp);
        var last = _stream.Max(t => t.Timestamp);
        _cycleShift = (last - first) + TimeSpan.FromDays(30);
    }

    /// <summary><c>locomo</c> or <c>synthetic</c>.</summary>
    public string Source { get; }

    /// <summary>Turns in one pass of the stream.</summary>
    public int Length => _stream.Length;

    /// <summary>Loads LoCoMo from <paramref name="locomoPath"/>, or builds synthetic texts when it is absent (or
    /// <paramref name="synthetic"/>).</summary>
    /// <param name="locomoPath">The LoCoMo file.</param>
    /// <param name="synthetic">Use synthetic texts regardless.</param>
    /// <param name="streams">How many agents (streams) will take turns.</param>
    /// <param name="seed">The seed of the synthetic texts.</param>
    public static HttpWorkload Create(string? locomoPath, bool synthetic, int streams, int seed)
    {
        if (!synthetic && !string.IsNullOrWhiteSpace(locomoPath) && File.Exists(locomoPath))
        {
            var dataset = DatasetReader.Read(locomoPath);
            var conversations = dataset.Conversations.Select(FromDataset).Where(c => c.Turns.Count > 0).ToList();
            if (conversations.Count > 0)
            {
                return new HttpWorkload("locomo", conversations, streams);
            }
        }

        return new HttpWorkload("synthetic", SyntheticConversations.Build(seed), streams);
    }

    /// <summary>Takes the next <paramref name="count"/> turns of an agent's stream (thread-safe; ids <c>t0</c>,
    /// <c>t1</c>, ... are unique per agent).</summary>
    public TurnInput[] Take(int agent, int count)
    {
        var first = Interlocked.Add(ref _next[agent], count) - count;
        var start = _conversationStart[agent % _conversationStart.Length];
        var turns = new TurnInput[count];
        for (var i = 0; i < count; i++)
        {
            var position = first + i;
            var global = start + position;
            var cycle = global / _stream.Length;
            var turn = _stream[(int)(global % _stream.Length)];
            turns[i] = new TurnInput
            {
                Id = "t" + position.ToString(System.Globalization.CultureInfo.InvariantCulture),
                SessionId = cycle == 0 ? turn.Session : turn.Session + "~" + cycle.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Speaker = turn.Speaker,
                Text = turn.Text,
                Timestamp = turn.Timestamp + (_cycleShift * cycle),
            };
        }

        return turns;
    }

    /// <summary>Turns taken so far from an agent's stream.</summary>
    public long Taken(int agent) => Interlocked.Read(ref _next[agent]);

    /// <summary>A query about an agent's texts.</summary>
    public string Query(int agent, Random random)
    {
        var queries = _queries[agent % _queries.Length];
        return queries[random.Next(queries.Length)];
    }

    private static WorkloadConversation FromDataset(DatasetConversation conversation)
    {
        var turns = new List<WorkloadTurn>(conversation.TurnCount);
        foreach (var session in conversation.Sessions)
        {
            for (var i = 0; i < session.Turns.Count; i++)
            {
                var turn = session.Turns[i];
                if (!string.IsNullOrWhiteSpace(turn.Text) && !string.IsNullOrWhiteSpace(turn.Speaker))
                {
                    turns.Add(new WorkloadTurn(conversation.Id + ":" + session.Id, turn.Speaker, turn.Text, DatasetConversation.TurnTimestamp(session, i)));
                }
            }
        }

        var questions = conversation.Questions.Select(q => q.Question).Where(q => !string.IsNullOrWhiteSpace(q)).ToList();
        return new WorkloadConversation(turns, questions);
    }

    // A conversation without questions is searched with phrases from its own turns.
    private static string[] Phrases(IReadOnlyList<WorkloadTurn> turns) =>
        [.. turns.Take(200).Select(t => string.Join(' ', t.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(6)))];
}

/// <summary>One turn of the stream.</summary>
internal sealed record WorkloadTurn(string Session, string Speaker, string Text, DateTimeOffset Timestamp);

/// <summary>A conversation: its turns in order and the questions about it.</summary>
internal sealed record WorkloadConversation(IReadOnlyList<WorkloadTurn> Turns, IReadOnlyList<string> Questions);

/// <summary>Deterministic everyday conversations (two speakers, sessions of 20 turns) with questions about what was
/// said, for users without the LoCoMo file.</summary>
internal static class SyntheticConversations
{
    private const int Conversations = 8;
    private const int SessionsPerConversation = 25;
    private const int TurnsPerSession = 20;

    private static readonly string[] Names =
    [
        "Alice", "Bruno", "Chloe", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keiko", "Liam",
        "Maya", "Nikolai", "Olivia", "Pedro",
    ];

    // (what happened, the question's verb phrase)
    private static readonly (string Past, string Base)[] Events =
    [
        ("went hiking near the lake with my sister", "go hiking near the lake"),
        ("adopted a golden retriever puppy from the shelter", "adopt a puppy"),
        ("started a pottery class at the community center", "start a pottery class"),
        ("finished the quarterly report for my manager", "finish the quarterly report"),
        ("booked a flight to Lisbon for the conference", "book a flight to Lisbon"),
        ("painted the spare bedroom a soft shade of green", "paint the spare bedroom"),
        ("joined a book club that reads mysteries", "join a book club"),
        ("volunteered at the food bank sorting donations", "volunteer at the food bank"),
        ("ran my first half marathon in the rain", "run a half marathon"),
        ("baked my grandmother's apple pie for the party", "bake an apple pie"),
        ("switched to cycling to work every day", "switch to cycling to work"),
        ("visited my parents for their anniversary dinner", "visit their parents"),
        ("signed up for a photography course", "sign up for a photography course"),
        ("planted tomatoes and basil in the garden", "plant tomatoes in the garden"),
        ("moved into a new apartment near the river", "move into a new apartment"),
        ("learned to play a new song on the violin", "learn a new song on the violin"),
        ("went camping in the mountains with friends", "go camping in the mountains"),
        ("got a promotion to team lead at work", "get a promotion"),
        ("took the kids to the science museum", "take the kids to the science museum"),
        ("started saving money for a coffee shop", "start saving for a coffee shop"),
        ("had a check-up with the dentist", "see the dentist"),
        ("cooked a Thai curry for the neighbours", "cook a Thai curry"),
        ("went to a concert of my favourite band", "go to a concert"),
        ("repaired the old bicycle in the garage", "repair the old bicycle"),
        ("read a long novel about a lighthouse keeper", "read the novel about a lighthouse keeper"),
        ("organized a charity run for the children's hospital", "organize a charity run"),
        ("started learning Spanish with an app", "start learning Spanish"),
        ("bought a used car from a colleague", "buy a used car"),
        ("spent the weekend at the beach house", "spend the weekend at the beach house"),
        ("helped my brother move to a new city", "help their brother move"),
    ];

    private static readonly string[] Times =
    [
        "last weekend", "yesterday", "on Tuesday evening", "this morning", "two weeks ago", "last month", "in March",
        "over the holidays", "on Saturday", "a few days ago",
    ];

    private static readonly string[] Feelings =
    [
        "and it was wonderful.", "but it rained the whole time.", "and I am really proud of it.", "which was exhausting.",
        "and everyone loved it.", "although it cost more than expected.", "and I want to do it again soon.",
        "because work had been so stressful.", "and the kids had a great time.", "and it changed how I see things.",
    ];

    private static readonly string[] Replies =
    [
        "That sounds amazing, tell me more!", "Oh no, how did you handle that?", "I did something similar last year.",
        "How long have you been planning that?", "That must have been a lot of work.", "Who else came along?",
        "I love that idea, you should share pictures.", "Was it as good as you hoped?",
    ];

    public static List<WorkloadConversation> Build(int seed)
    {
        var random = new Random(seed);
        var conversations = new List<WorkloadConversation>(Conversations);
        for (var c = 0; c < Conversations; c++)
        {
            var a = Names[(2 * c) % Names.Length];
            var b = Names[((2 * c) + 1) % Names.Length];
            var start = new DateTimeOffset(2023, 1, 2, 18, 0, 0, TimeSpan.Zero).AddDays(c * 3);
            var turns = new List<WorkloadTurn>(SessionsPerConversation * TurnsPerSession);
            var questions = new List<string>();
            for (var s = 0; s < SessionsPerConversation; s++)
            {
                var session = $"syn{c}:s{s + 1}";
                var date = start.AddDays(s * 7);
                for (var t = 0; t < TurnsPerSession; t++)
                {
                    var speaker = t % 2 == 0 ? a : b;
                    string text;
                    if (t % 2 == 0 || random.Next(3) == 0)
                    {
                        var e = Events[random.Next(Events.Length)];
                        text = $"I {e.Past} {Times[random.Next(Times.Length)]} {Feelings[random.Next(Feelings.Length)]}";
                        if (questions.Count < 150 && random.Next(4) == 0)
                        {
                            questions.Add(random.Next(2) == 0 ? $"When did {speaker} {e.Base}?" : $"How did {speaker} feel after they {e.Past}?");
                        }
                    }
                    else
                    {
                        text = Replies[random.Next(Replies.Length)];
                    }

                    turns.Add(new WorkloadTurn(session, speaker, text, date.AddMinutes(t)));
                }
            }

            conversations.Add(new WorkloadConversation(turns, questions));
        }

        return conversations;
    }
}
